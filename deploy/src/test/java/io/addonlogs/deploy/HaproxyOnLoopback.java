package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped {@code deploy/docker/haproxy.cfg} adapted in its addresses only, for tests on loopback: each
 * {@code bind :PORT} on a free port of its own, each {@code server-template} (Docker's DNS) one fixed {@code server}
 * line per instance, the {@code resolvers} section dropped. Every other line (balancing, checks, retries, logging)
 * is the shipped one.
 */
final class HaproxyOnLoopback {

    static final Path SHIPPED = Path.of("").toAbsolutePath().getParent().resolve("deploy/docker/haproxy.cfg");

    private static final Pattern BIND = Pattern.compile("(\\s+bind ):(\\d+)");
    private static final Pattern SERVER_TEMPLATE = Pattern.compile(
            "(\\s+)server-template (\\S+) \\d+ \\w+:(\\d+)( check(?: port (\\d+))?.*?) resolvers docker init-addr none");

    private HaproxyOnLoopback() {
    }

    /** {@link #SHIPPED} with one instance of each service: {@code services} maps each default port to the real one. */
    static String singleInstance(Map<Integer, Integer> services, Map<Integer, Integer> listen) throws IOException {
        return adapt(Files.readString(SHIPPED), services.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))), listen);
    }

    /**
     * {@code config} on loopback: {@code instances} maps each service's default port (8080, 8081, 8090, 8091) to the
     * real port of each instance, in instance order; {@code listen} maps each frontend's port to a free one.
     */
    static String adapt(String config, Map<Integer, List<Integer>> instances, Map<Integer, Integer> listen) {
        StringBuilder local = new StringBuilder();
        boolean inResolvers = false;
        for (String line : config.split("\n", -1)) {
            inResolvers = line.startsWith("resolvers ") || (inResolvers && line.startsWith(" "));
            if (inResolvers) {
                continue;
            }
            Matcher bind = BIND.matcher(line);
            Matcher server = SERVER_TEMPLATE.matcher(line);
            if (bind.matches()) {
                line = bind.group(1) + "127.0.0.1:" + mapped(listen, bind.group(2));
            } else if (server.matches()) {
                List<Integer> ports = instances(instances, server.group(3));
                List<Integer> checkPorts = server.group(5) == null ? null : instances(instances, server.group(5));
                StringBuilder servers = new StringBuilder();
                for (int i = 0; i < ports.size(); i++) {
                    String options = checkPorts == null ? server.group(4)
                            : server.group(4).replace("port " + server.group(5), "port " + checkPorts.get(i));
                    servers.append(i == 0 ? "" : "\n").append(server.group(1)).append("server ").append(server.group(2))
                            .append(i + 1).append(" 127.0.0.1:").append(ports.get(i)).append(options);
                }
                line = servers.toString();
            }
            assertFalse(!line.startsWith("#") && line.contains("resolvers"), "left over: " + line);
            local.append(line).append('\n');
        }
        return local.toString();
    }

    private static int mapped(Map<Integer, Integer> ports, String port) {
        Integer to = ports.get(Integer.parseInt(port));
        assertTrue(to != null, "no port for " + port);
        return to;
    }

    private static List<Integer> instances(Map<Integer, List<Integer>> ports, String port) {
        List<Integer> to = ports.get(Integer.parseInt(port));
        assertTrue(to != null && !to.isEmpty(), "no instance for port " + port);
        return to;
    }
}
