package io.addonlogs.common.model;

import io.addonlogs.common.syslog.Rfc5424Header;

/** Reads one parameter value from a line's (already validated) STRUCTURED-DATA. */
final class StructuredDataParams {

    private StructuredDataParams() {
    }

    /** The unescaped value of the first {@code name="..."} parameter in any element, or null. */
    static String find(Rfc5424Header line, String name) {
        String sd = line.structuredData();
        if (sd == null) {
            return null;
        }
        String needle = " " + name + "=\"";
        int at = indexOutsideValues(sd, needle);
        if (at < 0) {
            return null;
        }
        StringBuilder value = new StringBuilder();
        for (int i = at + needle.length(); i < sd.length(); i++) {
            char c = sd.charAt(i);
            if (c == '\\' && i + 1 < sd.length() && "\"\\]".indexOf(sd.charAt(i + 1)) >= 0) {
                value.append(sd.charAt(++i));
            } else if (c == '"') {
                return value.toString();
            } else {
                value.append(c);
            }
        }
        return null;
    }

    /** Finds {@code needle} where it starts a parameter, skipping text inside quoted values. */
    private static int indexOutsideValues(String sd, String needle) {
        boolean inValue = false;
        for (int i = 0; i < sd.length(); i++) {
            char c = sd.charAt(i);
            if (inValue) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inValue = false;
                }
            } else if (c == '"') {
                inValue = true;
            } else if (sd.startsWith(needle, i)) {
                return i;
            }
        }
        return -1;
    }
}
