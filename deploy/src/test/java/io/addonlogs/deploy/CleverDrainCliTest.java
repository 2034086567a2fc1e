package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.addonlogs.drain.Rsyslog;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.service.http.ListenPort;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The platform's CLI, unmodified, manages drains on the local stack: {@code clever drain create syslog-tcp ...
 * --addon}, {@code clever drain}, {@code check}, {@code disable}, {@code enable}, {@code remove}; lines POSTed to the
 * ingest reach a real rsyslog through the stack's drain worker, with the add-on's real id as APP-NAME.
 */
class CleverDrainCliTest {

    private static final Pattern CREATED = Pattern.compile("Drain (drain_[0-9a-f-]+) has been successfully created");

    @TempDir
    Path dir;

    @Test
    void createListCheckDisableEnableRemoveAndLinesReachRsyslog() throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStack.onFreePorts(dir.resolve("data")));
             Rsyslog rsyslog = Rsyslog.start(Rsyslog.Mode.TCP, ListenPort.free("127.0.0.1"), null)) {
            CleverCli cli = CleverCli.installed(dir.resolve("home"));
            String printedLine = stack.instructions(0).lines().map(String::strip)
                    .filter(l -> l.contains(" clever drain create ")).findFirst().orElseThrow();
            PrintedCommand printed = new PrintedCommand(printedLine, PrintedCommand.split(printedLine));
            List<String> args = new ArrayList<>(printed.words().subList(printed.words().indexOf("clever") + 1,
                    printed.words().size()));
            assertEquals(List.of("drain", "create", "syslog-tcp", "tcp://127.0.0.1:5514", "--addon", stack.demoRealId()),
                    args);
            Map<String, String> variables = CleverCliTest.variables(printed);
            args.set(3, "tcp://127.0.0.1:" + rsyslog.port()); // our rsyslog instead of the example's port

            CleverCli.Result created = cli.run(variables, args, 120);
            assertEquals(0, created.exitCode(), created.stderr());
            Matcher id = CREATED.matcher(created.stdout());
            assertTrue(id.find(), created.stdout());
            String drainId = id.group(1);

            JsonArray listed = new JsonArray(run(cli, variables, "drain", "--addon", stack.demoRealId(), "--format", "json"));
            assertEquals(1, listed.size(), listed.encode());
            JsonObject drain = listed.getJsonObject(0);
            assertEquals(drainId, drain.getString("id"));
            assertEquals("SYSLOG_TCP", drain.getJsonObject("recipient").getString("type"));
            assertEquals("tcp://127.0.0.1:" + rsyslog.port(), drain.getJsonObject("recipient").getString("url"));
            assertTrue(run(cli, variables, "drain", "--addon", stack.demoRealId()).contains(drainId), "the human table");

            assertTrue(run(cli, variables, "drain", "check", drainId, "--addon", stack.demoRealId()).contains("OK"));

            run(cli, variables, "drain", "disable", drainId, "--addon", stack.demoRealId());
            assertEquals("DISABLED", new JsonObject(run(cli, variables, "drain", "get", drainId, "--addon",
                    stack.demoRealId(), "--format", "json")).getJsonObject("status").getString("status"));
            run(cli, variables, "drain", "enable", drainId, "--addon", stack.demoRealId());
            assertEquals("ENABLED", new JsonObject(run(cli, variables, "drain", "get", drainId, "--addon",
                    stack.demoRealId(), "--format", "json")).getJsonObject("status").getString("status"));

            CleverCliTest.post(stack, List.of("drained one", "drained two"));
            Await.until(() -> rsyslog.received().size() >= 2, "the lines in rsyslog");
            List<String> got = rsyslog.received();
            assertEquals(2, got.size(), got.toString());
            for (int i = 0; i < 2; i++) {
                String line = got.get(i);
                assertTrue(line.matches("<190>1 \\S+ demo-host " + Pattern.quote(stack.demoRealId()) + " demo.1 - - drained "
                        + (i == 0 ? "one" : "two")), line);
            }

            run(cli, variables, "drain", "remove", drainId, "--addon", stack.demoRealId());
            assertEquals(0, new JsonArray(run(cli, variables, "drain", "--addon", stack.demoRealId(), "--format",
                    "json")).size());
        }
    }

    private static String run(CleverCli cli, Map<String, String> variables, String... args) throws Exception {
        CleverCli.Result result = cli.run(variables, List.of(args), 120);
        assertEquals(0, result.exitCode(), "clever " + List.of(args) + ": " + result.stderr() + result.stdout());
        return result.stdout();
    }
}
