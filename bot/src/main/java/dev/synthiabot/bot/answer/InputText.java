package dev.synthiabot.bot.answer;

/** Whether a user's text has anything visible in it. */
final class InputText {
    private InputText() {}

    /**
     * True when the text is only whitespace, control or format characters (zero-width space, joiners, BOM,
     * direction marks) and the blank "filler" letters Discord users paste to send empty-looking messages.
     */
    static boolean isBlank(String s) {
        return s.codePoints().allMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c)
            || switch (Character.getType(c)) {
                case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.SURROGATE -> true;
                default -> false;
            }
            || c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0 || c == 0x2800 || c == 0x180E);
    }
}
