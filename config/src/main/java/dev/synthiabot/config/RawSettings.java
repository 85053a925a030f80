package dev.synthiabot.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Settings as written, before conversion: each known key's text (or list, or map) and where it came
 * from (file and line, or environment variable). Unknown keys become problems with a did-you-mean.
 */
final class RawSettings {
    /** A value and its source, e.g. {@code synthia-bot.yaml line 12} or {@code environment SYNTHIA_MODEL__THREADS}. */
    record Raw(Object value, String source) {}

    final Map<String, Raw> values = new LinkedHashMap<>();
    final Problems problems = new Problems();

    /** Reads a YAML document; syntax errors are reported with line and column. */
    void readYaml(String text, String fileName) {
        LoadSettings settings = LoadSettings.builder().setLabel(fileName).setAllowDuplicateKeys(false).build();
        Node root;
        try {
            Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text)));
            Optional<Node> single = composer.getSingleNode();
            if (single.isEmpty()) return;
            root = single.get();
        } catch (MarkedYamlEngineException e) {
            String where = e.getProblemMark().map(m -> fileName + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1)).orElse(fileName);
            problems.add(where + ": YAML syntax error: " + e.getProblem());
            return;
        } catch (YamlEngineException e) {
            problems.add(fileName + ": YAML syntax error: " + e.getMessage());
            return;
        }
        if (!(root instanceof MappingNode top)) {
            problems.add(fileName + ": expected sections (discord:, model:, …) at the top level" + at(root, fileName));
            return;
        }
        for (NodeTuple section : top.getValue()) {
            String sectionName = scalar(section.getKeyNode());
            if (!(section.getValueNode() instanceof MappingNode keys)) {
                if (!isNull(section.getValueNode())) {
                    problems.add(sectionName + ": expected a section of keys" + at(section.getValueNode(), fileName));
                }
                checkKnownSection(sectionName, section.getKeyNode(), fileName);
                continue;
            }
            if (!checkKnownSection(sectionName, section.getKeyNode(), fileName)) continue;
            for (NodeTuple entry : keys.getValue()) {
                String path = sectionName + "." + scalar(entry.getKeyNode());
                readKey(path, entry, fileName);
            }
        }
    }

    private boolean checkKnownSection(String name, Node node, String fileName) {
        List<String> sections = SettingKey.ALL.stream().map(SettingKey::section).distinct().toList();
        if (sections.contains(name)) return true;
        problems.add(name + ": unknown section" + didYouMean(name, sections) + at(node, fileName));
        return false;
    }

    private void readKey(String path, NodeTuple entry, String fileName) {
        Node v = entry.getValueNode();
        String source = fileName + " line " + line(v);
        if (path.equals("server.api_keys")) {
            problems.add("server.api_keys: must not be in the settings file (" + source + "): put them in the "
                + SettingKey.SERVER_API_KEYS_ENV + " environment variable or in the file named by server.api_keys_file");
            return;
        }
        if (path.equals("discord.token")) {
            problems.add("discord.token: must not be in the settings file (" + source + "): put it in the "
                + SettingKey.TOKEN_ENV + " environment variable or in the file named by discord.token_file");
            return;
        }
        Optional<SettingKey> key = SettingKey.ALL.stream().filter(k -> k.path().equals(path)).findFirst();
        if (key.isEmpty()) {
            problems.add(path + ": unknown key" + didYouMean(path, SettingKey.ALL.stream().map(SettingKey::path).toList()) + " (" + source + ")");
            return;
        }
        if (isNull(v)) return; // "key:" with no value keeps the default
        Object value = switch (key.get().type()) {
            case LIST -> v instanceof SequenceNode seq ? seq.getValue().stream().map(RawSettings::scalar).toList() : wrong(path, "a list", source);
            case MAP -> v instanceof MappingNode map ? toMap(map) : wrong(path, "a map of key: value", source);
            case ENDPOINTS -> v instanceof SequenceNode seq ? endpoints(path, seq, source) : wrong(path, "a list", source);
            default -> v instanceof ScalarNode s ? s.getValue() : wrong(path, "a single value", source);
        };
        if (value != null) values.put(path, new Raw(value, source));
    }

    private Object wrong(String path, String expected, String source) {
        problems.add(path + ": expected " + expected + " (" + source + ")");
        return null;
    }

    /** Each entry a URL, or a map of url and options: kept as a map per entry ({@code url} always set). */
    private List<Map<String, String>> endpoints(String path, SequenceNode seq, String source) {
        List<Map<String, String>> out = new ArrayList<>();
        for (Node item : seq.getValue()) {
            if (item instanceof MappingNode m) {
                out.add(toMap(m));
            } else if (item instanceof ScalarNode sc) {
                out.add(Map.of("url", sc.getValue()));
            } else {
                problems.add(path + ": each entry is a URL or a map of url, model, max_concurrent, api_key_file, api_key_env (" + source + ")");
            }
        }
        return out;
    }

    private static Map<String, String> toMap(MappingNode map) {
        Map<String, String> m = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) m.put(scalar(t.getKeyNode()), scalar(t.getValueNode()));
        return m;
    }

    /** Applies {@code SYNTHIA_SECTION__KEY} variables; unknown {@code SYNTHIA_} variables are problems. */
    void readEnvironment(Map<String, String> env) {
        Map<String, Map<String, String>> mapEntries = new LinkedHashMap<>();
        for (var e : env.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(SettingKey.ENV_PREFIX) || name.equals(SettingsLoader.CONFIG_ENV) || name.equals("SYNTHIA_DISCORD__TOKEN")
                || name.equals(SettingKey.SERVER_API_KEYS_ENV)) continue;
            String source = "environment " + name;
            Optional<SettingKey> exact = SettingKey.ALL.stream().filter(k -> k.envVar().equals(name)).findFirst();
            if (exact.isPresent()) {
                SettingKey k = exact.get();
                Object value = switch (k.type()) {
                    case LIST -> splitList(e.getValue());
                    case ENDPOINTS -> splitList(e.getValue()).stream().map(url -> Map.of("url", url)).toList();
                    case MAP -> null;
                    default -> e.getValue();
                };
                if (k.type() == SettingKey.Type.MAP) {
                    problems.add(k.path() + ": set map entries one by one, e.g. " + k.envVar() + "__<key>=<value> (" + source + ")");
                } else {
                    values.put(k.path(), new Raw(value, source));
                }
                continue;
            }
            Optional<SettingKey> map = SettingKey.ALL.stream()
                .filter(k -> k.type() == SettingKey.Type.MAP && name.startsWith(k.envVar() + "__")).findFirst();
            if (map.isPresent()) {
                String entryKey = name.substring(map.get().envVar().length() + 2).toLowerCase(Locale.ROOT);
                mapEntries.computeIfAbsent(map.get().path(), x -> new LinkedHashMap<>()).put(entryKey, e.getValue());
                continue;
            }
            problems.add(name + ": unknown environment variable" + didYouMean(name, SettingKey.ALL.stream().map(SettingKey::envVar).toList()));
        }
        mapEntries.forEach((path, entries) -> {
            Map<String, String> merged = new LinkedHashMap<>();
            Raw existing = values.get(path);
            if (existing != null && existing.value() instanceof Map<?, ?> m) m.forEach((a, b) -> merged.put((String) a, (String) b));
            merged.putAll(entries);
            values.put(path, new Raw(merged, "environment " + SettingKey.byPath(path).envVar() + "__*"));
        });
    }

    private static List<String> splitList(String s) {
        List<String> out = new ArrayList<>();
        for (String part : s.split(",")) if (!part.isBlank()) out.add(part.trim());
        return out;
    }

    private static String scalar(Node n) {
        return n instanceof ScalarNode s ? s.getValue() : String.valueOf(n);
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode s && (s.getValue().isEmpty() || s.getValue().equals("~") || s.getValue().equals("null"))
            && s.getTag().getValue().endsWith(":null");
    }

    private static int line(Node n) {
        return n.getStartMark().map(Mark::getLine).orElse(-1) + 1;
    }

    private static String at(Node n, String fileName) {
        return " (" + fileName + " line " + line(n) + ")";
    }

    static String didYouMean(String given, List<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(given.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, given.length() / 3) ? "; did you mean '" + best + "'?" : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
