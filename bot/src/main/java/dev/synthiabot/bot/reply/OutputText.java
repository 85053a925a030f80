package dev.synthiabot.bot.reply;

/** What of a model's output may reach Discord: control characters (other than newline and tab) are removed. */
public final class OutputText {
    private OutputText() {}

    public static String clean(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean drop = Character.getType(c) == Character.CONTROL && c != '\n' && c != '\t';
            if (drop && sb == null) sb = new StringBuilder(s.length()).append(s, 0, i);
            if (!drop && sb != null) sb.append(c);
        }
        return sb == null ? s : sb.toString();
    }
}
