package io.addonlogs.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A curl command line as the launcher prints it, split into words the way a POSIX shell would (quotes only). */
record PrintedCommand(String line, List<String> words) {

    /** The first line of {@code text} that starts (after indentation) with {@code prefix}. */
    static PrintedCommand find(String text, String prefix) {
        return text.lines().map(String::strip).filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> new PrintedCommand(l, split(l)))
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in:\n" + text));
    }

    /** The word after {@code option}, if the option is present. */
    Optional<String> option(String option) {
        int i = words.indexOf(option);
        return i < 0 || i + 1 >= words.size() ? Optional.empty() : Optional.of(words.get(i + 1));
    }

    /** The values of every occurrence of {@code option} (e.g. all {@code -H}). */
    List<String> options(String option) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i + 1 < words.size(); i++) {
            if (words.get(i).equals(option)) {
                values.add(words.get(i + 1));
            }
        }
        return values;
    }

    /** The one argument starting with {@code http}. */
    String url() {
        return words.stream().filter(w -> w.startsWith("http")).reduce((a, b) -> {
            throw new AssertionError("two URLs in " + line);
        }).orElseThrow(() -> new AssertionError("no URL in " + line));
    }

    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\'') {
                    quoted = false;
                } else {
                    word.append(c);
                }
            } else if (c == '\'') {
                quoted = true;
                word = word == null ? new StringBuilder() : word;
            } else if (c == ' ') {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else if (c == '"' || c == '\\' || c == '$' || c == '`') {
                throw new AssertionError("unexpected shell metacharacter " + c + " outside single quotes in " + line);
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (quoted) {
            throw new AssertionError("unterminated quote in " + line);
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
