package io.addonlogs.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** common holds formats and the model: no HTTP server, no Kafka client (STYLE.md, "Architecture you can see"). */
class ModuleBoundaryTest {

    private static final Pattern FORBIDDEN = Pattern.compile("^import\\s+(static\\s+)?(io\\.vertx|org\\.apache\\.kafka)\\.",
            Pattern.MULTILINE);

    @Test
    void mainSourcesImportNeitherVertxNorKafka() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            List<String> offenders = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(ModuleBoundaryTest::importsForbidden)
                    .map(Path::toString)
                    .toList();
            assertEquals(List.of(), offenders);
        }
    }

    private static boolean importsForbidden(Path file) {
        try {
            return FORBIDDEN.matcher(Files.readString(file)).find();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
