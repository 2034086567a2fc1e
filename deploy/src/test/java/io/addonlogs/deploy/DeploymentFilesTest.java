package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.addonlogs.common.config.Settings;
import io.addonlogs.common.kafka.KafkaClientSettings;
import io.addonlogs.consumer.TailConfig;
import io.addonlogs.consumer.sse.TailHttpVerticle;
import io.addonlogs.drain.DrainConfig;
import io.addonlogs.ingest.IngestConfig;
import io.addonlogs.service.management.ManagementServer;

/**
 * docker-compose.yml, the Dockerfile, the load balancer and the Kubernetes manifests against the code: images,
 * ports, probes, topic names and every environment variable must be what the services really read. No Docker
 * engine or cluster runs in the build, so this is what keeps those files from drifting silently.
 */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final YAMLMapper YAML = new YAMLMapper();
    /** Read by the JVM itself, not by the services' settings. */
    private static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS");
    /** The viewers' router in Kubernetes: its manifests' name and its HAProxy configuration. */
    private static final String ROUTER = "consumer-router";
    private static final Path ROUTER_CONFIG = ROOT.resolve("deploy/k8s/consumer-router.cfg");

    private final Service ingest;
    private final Service consumer;
    private final Service drain;
    private final DrainConfig drainConfig;

    DeploymentFilesTest() {
        Settings ingestSettings = new Settings(Map.of());
        IngestConfig ingestConfig = IngestConfig.from(ingestSettings);
        ingest = new Service("ingest", "ingest", ingestSettings.namesRead(), ingestSettings.prefixesRead(),
                ingestConfig.port(),
                ingestConfig.managementPort(), "INGEST_ADMIN_TOKEN", ingestConfig.logsTopic(), ingestConfig.tokensTopic());
        Settings tailSettings = new Settings(Map.of("VIEWER_JWT_SECRET", "x".repeat(32)));
        TailConfig tailConfig = TailConfig.from(tailSettings);
        consumer = new Service("consumer", "consumer", tailSettings.namesRead(), tailSettings.prefixesRead(),
                tailConfig.port(),
                tailConfig.managementPort(), "VIEWER_JWT_SECRET", tailConfig.logsTopic(), tailConfig.tokensTopic());
        Settings drainSettings = new Settings(Map.of("DRAINS_SECRET_KEY",
                java.util.Base64.getEncoder().encodeToString(new byte[32])));
        drainConfig = DrainConfig.from(drainSettings);
        drain = new Service("drain", "drain", drainSettings.namesRead(), drainSettings.prefixesRead(), -1,
                drainConfig.managementPort(),
                "DRAINS_SECRET_KEY", drainConfig.logsTopic(), drainConfig.tokensTopic());
    }

    /** What the code says about one service. */
    private record Service(String name, String module, Set<String> settings, Set<String> prefixes, int port,
                           int managementPort, String secret, String logsTopic, String tokensTopic) {

        /**
         * Whether the service reads the variable: by name, or through a prefix it passes through, which for
         * {@code KAFKA_*} means a setting Kafka's clients know and the services leave to the operator.
         */
        boolean reads(String variable) {
            if (settings.contains(variable)) {
                return true;
            }
            if (!prefixes.contains(KafkaClientSettings.PREFIX) || !variable.startsWith(KafkaClientSettings.PREFIX)) {
                return false;
            }
            String key = KafkaClientSettings.clientKey(variable);
            return KAFKA_CLIENT_SETTINGS.contains(key) && !KafkaClientSettings.SERVICE_OWNED.contains(key);
        }
    }

    /** Every setting of Kafka's producer, consumer and admin clients. */
    private static final Set<String> KAFKA_CLIENT_SETTINGS = Stream.of(ProducerConfig.configNames(),
                    ConsumerConfig.configNames(), AdminClientConfig.configNames())
            .flatMap(Set::stream).collect(Collectors.toSet());

    // ---- docker-compose.yml -------------------------------------------------------------------------------------

    @Test
    void composeRunsTheServicesAsTheCodeExpects() throws IOException {
        JsonNode services = yaml("docker-compose.yml").get(0).get("services");
        for (Service service : List.of(ingest, consumer)) {
            JsonNode s = services.get(service.name());
            assertEquals("deploy/docker/Dockerfile", s.at("/build/dockerfile").asText());
            assertEquals(service.name(), s.at("/build/target").asText());
            assertEquals("addon-log-collector/" + service.name() + ":local", s.get("image").asText());
            Map<String, String> env = fields(s.get("environment"));
            assertKnown(service, env.keySet(), "docker-compose.yml " + service.name());
            assertTrue(env.containsKey(service.secret()), service.secret() + " set in compose");
            assertEquals("kafka:9092", env.get("KAFKA_BOOTSTRAP_SERVERS"));
            assertEquals(service.logsTopic(), env.get("LOGS_TOPIC"));
            assertEquals(service.tokensTopic(), env.get("TOKENS_TOPIC"));
            // --scale needs replicas without fixed host ports or names; the load balancer publishes the ports.
            assertFalse(s.has("ports"), service.name() + " must not publish host ports");
            assertFalse(s.has("container_name"), service.name() + " must not have a fixed container name");
            assertEquals(Set.of(String.valueOf(service.port()), String.valueOf(service.managementPort())),
                    texts(s.get("expose")));
            String health = String.join(" ", texts(s.at("/healthcheck/test")));
            assertTrue(health.contains("/dev/tcp/127.0.0.1/" + service.managementPort()), health);
            assertTrue(health.contains("GET " + ManagementServer.READY_PATH + " "), health);
            assertEquals("service_completed_successfully", s.at("/depends_on/kafka-init/condition").asText());
        }
        assertTrue(services.at("/ingest/environment/INGEST_ADMIN_TOKEN").asText().startsWith("${INGEST_ADMIN_TOKEN:-"));
        assertTrue(services.at("/consumer/environment/VIEWER_JWT_SECRET").asText().startsWith("${VIEWER_JWT_SECRET:-"));
        String adminDefault = services.at("/ingest/environment/INGEST_ADMIN_TOKEN").asText()
                .replaceAll("^\\$\\{INGEST_ADMIN_TOKEN:-(.*)}$", "$1");
        assertEquals(adminDefault, IngestConfig.from(Map.of("INGEST_ADMIN_TOKEN", adminDefault)).adminToken(),
                "the laptop default is an admin token the ingest accepts (32 bytes at least)");
        // the management port listens on loopback by default: the load balancer's checks and admin frontend need it
        assertEquals("0.0.0.0", services.at("/ingest/environment/INGEST_MANAGEMENT_HOST").asText());
    }

    @Test
    void composeKafkaMatchesTheClientVersionAndCreatesBothTopics() throws IOException {
        JsonNode services = yaml("docker-compose.yml").get(0).get("services");
        String image = "apache/kafka:" + AppInfoParser.getVersion();
        assertEquals(image, services.at("/kafka/image").asText(), "the broker runs the clients' Kafka version");
        assertEquals(image, services.at("/kafka-init/image").asText());
        Map<String, String> kafka = fields(services.at("/kafka/environment"));
        assertEquals("broker,controller", kafka.get("KAFKA_PROCESS_ROLES"), "KRaft, one node");
        assertTrue(kafka.get("KAFKA_ADVERTISED_LISTENERS").contains("PLAINTEXT://kafka:9092"));
        assertEquals("false", kafka.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE"));
        assertEquals("service_healthy", services.at("/kafka-init/depends_on/kafka/condition").asText());

        String init = String.join(" ", texts(services.at("/kafka-init/command")));
        assertTrue(init.contains("--topic " + ingest.logsTopic() + " "), init);
        assertTrue(init.contains("--topic " + ingest.tokensTopic() + " --partitions 1 --replication-factor 1 "
                + "--config cleanup.policy=compact"), init);
    }

    @Test
    void loadBalancerForwardsToTheServicePortsAndChecksReadiness() throws IOException {
        JsonNode lb = yaml("docker-compose.yml").get(0).at("/services/lb");
        String mount = lb.get("volumes").get(0).asText();
        Path config = ROOT.resolve(mount.substring(0, mount.indexOf(':')));
        assertTrue(Files.isRegularFile(config), mount);
        assertEquals(Set.of("8080:8080", "8090:8090", "127.0.0.1:8081:8081"), texts(lb.get("ports")));
        assertEquals("service_healthy", lb.at("/depends_on/ingest/condition").asText());
        assertEquals("service_healthy", lb.at("/depends_on/consumer/condition").asText());

        String haproxy = Files.readString(config);
        for (Service s : List.of(ingest, consumer)) {
            assertTrue(haproxy.contains("server-template " + s.name() + " 10 " + s.name() + ":" + s.port()
                    + " check port " + s.managementPort() + " resolvers docker"), s.name() + " backend");
        }
        assertTrue(haproxy.contains("server-template ingest 10 ingest:" + ingest.managementPort() + " check"));
        assertEquals(3, count(haproxy, "option httpchk GET " + ManagementServer.READY_PATH + "\n"));
    }

    @Test
    void dockerfileBuildsEachServiceJarAndExposesItsPorts() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("deploy/docker/Dockerfile"));
        for (Service s : List.of(ingest, consumer)) {
            String stage = stage(dockerfile, s.name());
            String jar = finalName(s.module()) + ".jar";
            assertTrue(stage.contains("COPY --from=build /src/" + s.module() + "/target/" + jar + " /app/" + jar), stage);
            String java = s == ingest ? "\"/bin/sh\", \"-c\", \"exec java @/app/ingest.jvm $JAVA_OPTS -jar /app/" + jar
                    + "\"" : "\"java\", \"-jar\", \"/app/" + jar + "\"";
            assertTrue(stage.contains("ENTRYPOINT [" + java + "]"), stage);
            assertTrue(stage.contains("EXPOSE " + s.port() + " " + s.managementPort()), stage);
        }
        // the ingest's JVM flags: a file of the repository (ImageJvmProfileTest runs the ingest with it)
        assertTrue(stage(dockerfile, ingest.name()).contains("COPY deploy/docker/ingest.jvm /app/ingest.jvm"));
        assertTrue(Files.readString(ROOT.resolve("deploy/docker/ingest.jvm")).lines().anyMatch(l -> l.startsWith("-Xmx")),
                "the ingest's heap is fixed, not a share of the container's memory");
        String drainStage = stage(dockerfile, drain.name());
        String drainJar = finalName(drain.module()) + ".jar";
        assertTrue(drainStage.contains("COPY --from=build /src/drain/target/" + drainJar + " /app/" + drainJar), drainStage);
        assertTrue(drainStage.contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/" + drainJar + "\"]"), drainStage);
        assertTrue(drainStage.contains("EXPOSE " + drain.managementPort() + "\n"), drainStage);
        assertTrue(stage(dockerfile, "build").contains("-pl ingest,consumer,drain -am package"));
        assertTrue(Files.readString(ROOT.resolve(".dockerignore")).contains("**/target/"));
    }

    // ---- Kubernetes ---------------------------------------------------------------------------------------------

    @Test
    void kustomizationListsParseableResourcesAndKnownSettings() throws IOException {
        JsonNode kustomization = yaml("deploy/k8s/kustomization.yaml").get(0);
        for (JsonNode resource : kustomization.get("resources")) {
            assertFalse(yaml("deploy/k8s/" + resource.asText()).isEmpty(), resource.asText());
        }
        Map<String, String> kafka = kafkaConfigMap();
        for (String name : kafka.keySet()) {
            assertTrue(ingest.reads(name) && consumer.reads(name), name + " is read by both services");
        }
        assertEquals(ingest.logsTopic(), kafka.get("LOGS_TOPIC"));
        assertEquals(ingest.tokensTopic(), kafka.get("TOKENS_TOPIC"));
        JsonNode listener = kind("Kafka").get(0).at("/spec/kafka/listeners/0");
        assertEquals(cluster() + "-kafka-bootstrap:" + listener.get("port").asInt(),
                kafka.get("KAFKA_BOOTSTRAP_SERVERS"), "Strimzi's bootstrap Service of the Kafka resource, on its port");

        assertEquals("secrets.env", kustomization.at("/secretGenerator/0/envs/0").asText());
        assertEquals(Set.of(ingest.secret(), consumer.secret(), drain.secret()), exampleSecrets().keySet());
        DrainConfig.from(Map.of(drain.secret(), exampleSecrets().get(drain.secret()))); // a valid key
        IngestConfig.from(Map.of(ingest.secret(), exampleSecrets().get(ingest.secret()))); // long enough to start
        assertTrue(Files.readString(ROOT.resolve(".gitignore")).contains("deploy/k8s/secrets.env\n"),
                "real secrets are never committed");
        Set<String> images = new LinkedHashSet<>();
        kustomization.get("images").forEach(i -> images.add(i.get("name").asText()));
        assertEquals(Set.of("addon-log-collector/ingest", "addon-log-collector/consumer", "addon-log-collector/drain"),
                images);
    }

    @Test
    void deploymentsProbeTheManagementPortAndSetOnlyKnownVariables() throws IOException {
        for (Service s : List.of(ingest, consumer)) {
            JsonNode deployment = named(kind("Deployment"), s.name());
            JsonNode container = deployment.at("/spec/template/spec/containers/0");
            assertEquals("addon-log-collector/" + s.name(), container.get("image").asText());
            Map<String, Integer> ports = new HashMap<>();
            container.get("ports").forEach(p -> ports.put(p.get("name").asText(), p.get("containerPort").asInt()));
            assertEquals(Map.of("http", s.port(), "management", s.managementPort()), ports);
            assertEquals(ManagementServer.READY_PATH, container.at("/readinessProbe/httpGet/path").asText());
            assertEquals("management", container.at("/readinessProbe/httpGet/port").asText());
            assertEquals(ManagementServer.LIVE_PATH, container.at("/livenessProbe/httpGet/path").asText());
            assertEquals("management", container.at("/livenessProbe/httpGet/port").asText());
            assertEquals(String.valueOf(s.managementPort()),
                    deployment.at("/spec/template/metadata/annotations/prometheus.io~1port").asText());
            assertEquals(ManagementServer.METRICS_PATH,
                    deployment.at("/spec/template/metadata/annotations/prometheus.io~1path").asText());
            assertEquals("log-collector-kafka", container.at("/envFrom/0/configMapRef/name").asText());

            List<String> names = new ArrayList<>();
            for (JsonNode env : container.get("env")) {
                names.add(env.get("name").asText());
                JsonNode secret = env.at("/valueFrom/secretKeyRef");
                if (!secret.isMissingNode() && !strimziSecrets(s).contains(secret.get("name").asText())) {
                    assertEquals("log-collector-secrets", secret.get("name").asText());
                    assertTrue(exampleSecrets().containsKey(secret.get("key").asText()));
                }
            }
            assertKnown(s, names, "deploy/k8s " + s.name());
            if (s == ingest) { // the kubelet probes the pod IP: the management port cannot stay on loopback
                JsonNode host = container.get("env").findParents("name").stream()
                        .filter(e -> e.get("name").asText().equals("INGEST_MANAGEMENT_HOST")).findFirst()
                        .orElseThrow(() -> new AssertionError("INGEST_MANAGEMENT_HOST unset: probes would fail"));
                assertEquals("0.0.0.0", host.get("value").asText());
            }
            assertTrue(names.contains(s.secret()));

            // viewers reach the consumers through the router (kubernetesRoutesViewersByPartitionThroughTheRouter)
            JsonNode service = named(kind("Service"), s.name());
            assertEquals("http", service.at("/spec/ports/0/targetPort").asText());
            assertEquals(s == consumer ? ROUTER : s.name(), service.at("/spec/selector/app.kubernetes.io~1name").asText());
            assertEquals(s.name(), named(kind("PodDisruptionBudget"), s.name())
                    .at("/spec/selector/matchLabels/app.kubernetes.io~1name").asText());
            assertEquals(s.name(), named(kind("HorizontalPodAutoscaler"), s.name())
                    .at("/spec/scaleTargetRef/name").asText());
        }
    }

    @Test
    void kubernetesRoutesViewersByPartitionThroughTheRouter() throws IOException {
        // the consumers answer a tail without partition with a 307 naming it ...
        JsonNode consumerPod = named(kind("Deployment"), consumer.name()).at("/spec/template/spec");
        String route = value(consumerPod.at("/containers/0"), "CONSUMER_ROUTE_BY_PARTITION");
        assertTrue(TailConfig.from(Map.of("VIEWER_JWT_SECRET", "x".repeat(32), "CONSUMER_ROUTE_BY_PARTITION", route))
                .routeByPartition(), "CONSUMER_ROUTE_BY_PARTITION=" + route);

        // ... which the router hashes on, configured as the shipped load balancer's viewer part
        Map<String, List<String>> router = haproxySections(Files.readString(ROUTER_CONFIG));
        Map<String, List<String>> shipped = haproxySections(Files.readString(HaproxyOnLoopback.SHIPPED));
        assertEquals(shipped.get("defaults"), router.get("defaults"),
                "timeouts, retries, a log format without query string, the JSON 503: as deploy/docker/haproxy.cfg");
        assertEquals(shipped.get("frontend consumer"), router.get("frontend consumer"));
        List<String> backend = router.get("backend consumer");
        assertEquals(withoutServerTemplate(shipped.get("backend consumer")), withoutServerTemplate(backend));
        assertTrue(backend.contains("balance url_param " + TailHttpVerticle.PARTITION_PARAM), backend.toString());
        assertTrue(backend.contains("hash-type consistent"), backend.toString());

        // a slot for every consumer the autoscaler may run: the pods of a headless Service, found through kube-dns,
        // checked on their management port, placed on the ring by address (the router replicas agree)
        String template = backend.stream().filter(l -> l.startsWith("server-template ")).findFirst().orElseThrow();
        Matcher slots = Pattern.compile("server-template consumer (\\d+) ([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.cluster\\.local"
                + ":(\\d+) check port (\\d+) resolvers (\\S+) init-addr none hash-key addr").matcher(template);
        assertTrue(slots.matches(), template);
        assertTrue(Integer.parseInt(slots.group(1)) >= named(kind("HorizontalPodAutoscaler"), consumer.name())
                .at("/spec/maxReplicas").asInt(), template + ": fewer slots than the autoscaler's maxReplicas");
        JsonNode pods = named(kind("Service"), slots.group(2));
        assertEquals("None", pods.at("/spec/clusterIP").asText(), "headless: one DNS address per pod");
        assertEquals(consumer.name(), pods.at("/spec/selector/app.kubernetes.io~1name").asText());
        assertEquals(yaml("deploy/k8s/kustomization.yaml").get(0).get("namespace").asText(), slots.group(3));
        assertEquals(consumer.port(), Integer.parseInt(slots.group(4)));
        assertEquals(consumer.managementPort(), Integer.parseInt(slots.group(5)));
        assertTrue(router.get("resolvers " + slots.group(6)).contains("parse-resolv-conf"), "the pod's nameserver");

        // the router: compose's HAProxy image, this file as its haproxy.cfg, probed on its monitor-uri
        JsonNode pod = named(kind("Deployment"), ROUTER).at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        assertEquals(yaml("docker-compose.yml").get(0).at("/services/lb/image").asText(),
                container.get("image").asText());
        JsonNode generator = named(yaml("deploy/k8s/kustomization.yaml").get(0).get("configMapGenerator"), ROUTER,
                "/name");
        assertEquals(Set.of("haproxy.cfg=" + ROUTER_CONFIG.getFileName()), texts(generator.get("files")));
        String volume = null;
        for (JsonNode v : pod.get("volumes")) {
            volume = ROUTER.equals(v.at("/configMap/name").asText()) ? v.get("name").asText() : volume;
        }
        assertEquals("/usr/local/etc/haproxy", named(container.get("volumeMounts"), volume, "/name")
                .get("mountPath").asText(), "where the image reads haproxy.cfg");
        Map<String, Integer> ports = new HashMap<>();
        container.get("ports").forEach(p -> ports.put(p.get("name").asText(), p.get("containerPort").asInt()));
        assertEquals(Map.of("http", bindPort(router.get("frontend consumer")),
                "health", bindPort(router.get("frontend health"))), ports);
        String monitor = router.get("frontend health").stream().filter(l -> l.startsWith("monitor-uri "))
                .findFirst().orElseThrow().substring("monitor-uri ".length());
        for (String probe : List.of("/readinessProbe", "/livenessProbe")) {
            assertEquals(monitor, container.at(probe + "/httpGet/path").asText(), probe);
            assertEquals("health", container.at(probe + "/httpGet/port").asText(), probe);
        }
        assertEquals(ROUTER, named(kind("PodDisruptionBudget"), ROUTER)
                .at("/spec/selector/matchLabels/app.kubernetes.io~1name").asText());
    }

    /** Debian's haproxy checks the router's configuration (as the image would read it) with {@code haproxy -c}. */
    @Test
    void routerConfigurationPassesHaproxysCheck(@TempDir Path dir) throws Exception {
        String haproxy = MonitoringTools.require("haproxy", "haproxy").toString();
        String config = Files.readString(ROUTER_CONFIG);
        MonitoringTools.Result check = haproxyCheck(haproxy, config, dir.resolve("haproxy.cfg"));
        if (check.exit() != 0 && check.output().contains("unknown keyword 'hash-key'")) {
            // an HAProxy older than the image's (Debian 12 has 2.6; hash-key came later): all but that option
            assertEquals(1, count(config, " hash-key addr"), config);
            check = haproxyCheck(haproxy, config.replace(" hash-key addr", ""), dir.resolve("haproxy.cfg"));
        }
        assertEquals(0, check.exit(), check.output());
    }

    @Test
    void kafkaIsReachedOnlyOverTlsWithScramAndEachServiceAsItsOwnUser() throws IOException {
        JsonNode kafka = kind("Kafka").get(0).at("/spec/kafka");
        assertEquals(1, kafka.get("listeners").size(), "no listener without TLS and authentication");
        JsonNode listener = kafka.at("/listeners/0");
        assertTrue(listener.get("tls").asBoolean());
        assertEquals("scram-sha-512", listener.at("/authentication/type").asText());
        assertEquals("simple", kafka.at("/authorization/type").asText(), "ACLs are enforced");
        assertTrue(kind("Kafka").get(0).at("/spec/entityOperator/userOperator").isObject(), "KafkaUsers are served");

        Map<String, String> shared = kafkaConfigMap();
        assertEquals("SASL_SSL", shared.get("KAFKA_SECURITY_PROTOCOL"));
        assertEquals("SCRAM-SHA-512", shared.get("KAFKA_SASL_MECHANISM"));
        assertEquals("PKCS12", shared.get("KAFKA_SSL_TRUSTSTORE_TYPE"));
        Path truststore = Path.of(shared.get("KAFKA_SSL_TRUSTSTORE_LOCATION"));
        String caSecret = cluster() + "-cluster-ca-cert";
        for (Service s : List.of(ingest, consumer, drain)) {
            JsonNode user = named(kind("KafkaUser"), s.name());
            assertEquals(cluster(), user.at("/metadata/labels/strimzi.io~1cluster").asText());
            assertEquals("scram-sha-512", user.at("/spec/authentication/type").asText());

            JsonNode pod = named(kind("Deployment"), s.name()).at("/spec/template/spec");
            JsonNode container = pod.at("/containers/0");
            assertEquals(Map.of("KAFKA_SASL_JAAS_CONFIG", s.name() + "/sasl.jaas.config",
                    "KAFKA_SSL_TRUSTSTORE_PASSWORD", caSecret + "/ca.password"), kafkaSecretRefs(container),
                    "the KafkaUser's Secret and the cluster CA's, as Strimzi names them");
            String volume = null;
            for (JsonNode mount : container.get("volumeMounts")) {
                if (mount.get("mountPath").asText().equals(truststore.getParent().toString())) {
                    volume = mount.get("name").asText();
                }
            }
            assertTrue(volume != null, s.name() + " mounts " + truststore.getParent());
            JsonNode secret = named(pod.get("volumes"), volume, "/name").get("secret");
            assertEquals(caSecret, secret.get("secretName").asText());
            assertEquals(truststore.getFileName().toString(), secret.at("/items/0/path").asText());
            assertEquals("ca.p12", secret.at("/items/0/key").asText(), "Strimzi's PKCS12 truststore of the CA");
        }
    }

    @Test
    void kafkaUsersHoldTheAclsTheServicesNeedAndNoMore() throws IOException {
        String logs = ingest.logsTopic();
        String tokens = ingest.tokensTopic();
        assertEquals(Map.of("topic:" + logs, Set.of("Write", "Describe"), "topic:" + tokens,
                Set.of("Read", "Write", "Describe")), acls("ingest"),
                "ingest: writes lines, writes and follows the token registry");
        String index = TailConfig.from(Map.of("VIEWER_JWT_SECRET", "x".repeat(32))).indexTopic();
        assertEquals(Map.of("topic:" + logs, Set.of("Read", "Describe"), "topic:" + tokens,
                Set.of("Read", "Describe"), "topic:" + index, Set.of("Read", "Write", "Describe"), "group:" + index,
                Set.of("Read"), "topic:" + drainConfig.drainsTopic(), Set.of("Read", "Write", "Describe"),
                "topic:" + drainConfig.statusTopic(), Set.of("Read", "Describe")), acls("consumer"),
                "consumer: reads lines and the token registry, reads and writes the history index in its group, "
                        + "writes drain definitions and reads the workers' statuses");
        assertEquals(Map.of("topic:" + logs, Set.of("Read", "Describe"), "topic:" + index, Set.of("Read", "Describe"),
                "topic:" + tokens, Set.of("Read", "Describe"), "topic:" + drainConfig.drainsTopic(),
                Set.of("Read", "Describe"), "topic:" + drainConfig.cursorsTopic(), Set.of("Read", "Write", "Describe"),
                "topic:" + drainConfig.statusTopic(), Set.of("Read", "Write", "Describe"),
                "group:" + drainConfig.group(), Set.of("Read")), acls("drain"),
                "drain workers: read lines, tokens and definitions, write cursors and statuses, in their group");
        assertTrue(KafkaClientSettings.SERVICE_OWNED.contains("group.id"),
                "the index's group is the service's (named like the index topic): KAFKA_GROUP_ID is refused");
    }

    @Test
    void drainWorkersProbeTheirManagementPortAndSetOnlyKnownVariables() throws IOException {
        JsonNode deployment = named(kind("Deployment"), drain.name());
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        assertEquals("addon-log-collector/drain", container.get("image").asText());
        assertEquals("management", container.at("/ports/0/name").asText());
        assertEquals(drain.managementPort(), container.at("/ports/0/containerPort").asInt());
        assertEquals(1, container.get("ports").size(), "the worker listens on its management port only");
        assertEquals(ManagementServer.READY_PATH, container.at("/readinessProbe/httpGet/path").asText());
        assertEquals(ManagementServer.LIVE_PATH, container.at("/livenessProbe/httpGet/path").asText());
        assertEquals(String.valueOf(drain.managementPort()),
                deployment.at("/spec/template/metadata/annotations/prometheus.io~1port").asText());
        assertEquals("log-collector-kafka", container.at("/envFrom/0/configMapRef/name").asText());
        List<String> names = new ArrayList<>();
        container.get("env").forEach(e -> names.add(e.get("name").asText()));
        assertKnown(drain, names, "deploy/k8s drain");
        assertTrue(names.contains(drain.secret()));
        assertEquals(drain.name(), named(kind("PodDisruptionBudget"), drain.name())
                .at("/spec/selector/matchLabels/app.kubernetes.io~1name").asText());
        assertEquals(drain.name(), named(kind("HorizontalPodAutoscaler"), drain.name())
                .at("/spec/scaleTargetRef/name").asText());
        // the consumers serve the drains API: they need the same key
        JsonNode consumerEnv = named(kind("Deployment"), consumer.name()).at("/spec/template/spec/containers/0/env");
        assertTrue(consumerEnv.findValuesAsText("name").contains("DRAINS_SECRET_KEY"));
    }

    @Test
    void strimziTopicsAreReplicatedThreeTimesWithTwoInSync() throws IOException {
        String cluster = cluster();
        for (String topic : List.of(ingest.logsTopic(), ingest.tokensTopic())) {
            JsonNode t = named(kind("KafkaTopic"), topic);
            assertEquals(cluster, t.at("/metadata/labels/strimzi.io~1cluster").asText());
            assertEquals(3, t.at("/spec/replicas").asInt(), topic);
            assertEquals(2, t.at("/spec/config/min.insync.replicas").asInt(), topic);
        }
        for (String compacted : List.of(ingest.tokensTopic(), drainConfig.drainsTopic(), drainConfig.cursorsTopic(),
                drainConfig.statusTopic())) {
            JsonNode t = named(kind("KafkaTopic"), compacted);
            assertEquals("compact", t.at("/spec/config/cleanup.policy").asText(), compacted);
            assertEquals(3, t.at("/spec/replicas").asInt(), compacted);
            assertEquals(2, t.at("/spec/config/min.insync.replicas").asInt(), compacted);
        }
        int brokers = 0;
        for (JsonNode pool : kind("KafkaNodePool")) {
            assertEquals(cluster, pool.at("/metadata/labels/strimzi.io~1cluster").asText());
            brokers += texts(pool.at("/spec/roles")).contains("broker") ? pool.at("/spec/replicas").asInt() : 0;
        }
        assertTrue(brokers >= 3, "RF 3 needs three brokers");
    }

    @Test
    void readmeDocumentsEverySettingTheServicesRead() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (Service s : List.of(ingest, consumer, drain)) {
            List<String> missing = s.settings().stream().filter(n -> !readme.contains("`" + n + "`")).toList();
            assertTrue(missing.isEmpty(), "README's settings tables lack " + missing + " of the " + s.name());
            List<String> prefixes = s.prefixes().stream().filter(p -> !readme.contains("`" + p + "<NAME>`")).toList();
            assertTrue(prefixes.isEmpty(), "README's settings tables lack the pass-through " + prefixes + "<NAME>");
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /**
     * An HAProxy configuration by section ({@code defaults}, {@code backend consumer}, ...): each one's lines,
     * stripped, without comments and blank lines.
     */
    private static Map<String, List<String>> haproxySections(String config) {
        Map<String, List<String>> sections = new HashMap<>();
        List<String> current = null;
        for (String line : config.split("\n")) {
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                assertTrue(current != null, "a line outside any section: " + line);
                current.add(stripped);
            } else {
                current = new ArrayList<>();
                assertTrue(sections.put(stripped, current) == null, "two sections " + stripped);
            }
        }
        return sections;
    }

    private static List<String> withoutServerTemplate(List<String> section) {
        return section.stream().filter(l -> !l.startsWith("server-template ")).toList();
    }

    /** The port of a frontend's {@code bind :PORT}. */
    private static int bindPort(List<String> frontend) {
        String bind = frontend.stream().filter(l -> l.startsWith("bind :")).findFirst().orElseThrow();
        return Integer.parseInt(bind.substring("bind :".length()));
    }

    private static MonitoringTools.Result haproxyCheck(String haproxy, String config, Path file) throws Exception {
        Files.writeString(file, config);
        return MonitoringTools.run(List.of(haproxy, "-c", "-f", file.toString()));
    }

    /** The literal value of a container's environment variable. */
    private static String value(JsonNode container, String variable) {
        return named(container.get("env"), variable, "/name").get("value").asText();
    }

    private static void assertKnown(Service service, java.util.Collection<String> names, String where) {
        Set<String> unknown = names.stream()
                .filter(n -> !service.reads(n) && !JVM_VARIABLES.contains(n))
                .collect(Collectors.toCollection(LinkedHashSet::new));
        assertTrue(unknown.isEmpty(), where + " sets variables the " + service.name() + " does not read: " + unknown
                + " (it reads " + service.settings() + ")");
    }

    private static List<JsonNode> yaml(String file) throws IOException {
        try (var docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(ROOT.resolve(file).toFile())) {
            return docs.readAll().stream().filter(d -> d != null && !d.isNull()).toList();
        }
    }

    /** Every document of the kustomization's resources with this kind. */
    private static List<JsonNode> kind(String kind) throws IOException {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode resource : yaml("deploy/k8s/kustomization.yaml").get(0).get("resources")) {
            yaml("deploy/k8s/" + resource.asText()).stream()
                    .filter(d -> kind.equals(d.path("kind").asText())).forEach(found::add);
        }
        assertFalse(found.isEmpty(), "no " + kind);
        return found;
    }

    private static JsonNode named(List<JsonNode> docs, String name) {
        return docs.stream().filter(d -> name.equals(d.at("/metadata/name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no resource named " + name));
    }

    private static JsonNode named(JsonNode array, String name, String namePointer) {
        for (JsonNode item : array) {
            if (name.equals(item.at(namePointer).asText())) {
                return item;
            }
        }
        throw new AssertionError("nothing named " + name + " in " + array);
    }

    private static String cluster() throws IOException {
        return kind("Kafka").get(0).at("/metadata/name").asText();
    }

    /** The literals of the config map every service reads its Kafka settings from. */
    private static Map<String, String> kafkaConfigMap() throws IOException {
        JsonNode configMap = yaml("deploy/k8s/kustomization.yaml").get(0).at("/configMapGenerator/0");
        assertEquals("log-collector-kafka", configMap.get("name").asText());
        Map<String, String> literals = new HashMap<>();
        for (JsonNode literal : configMap.get("literals")) {
            String[] kv = literal.asText().split("=", 2);
            literals.put(kv[0], kv[1]);
        }
        return literals;
    }

    /** The Secrets Strimzi makes that a service may read: its KafkaUser's and the cluster CA certificate's. */
    private static Set<String> strimziSecrets(Service service) throws IOException {
        return Set.of(service.name(), cluster() + "-cluster-ca-cert");
    }

    /** Each {@code KAFKA_*} variable set from a Secret: {@code secret/key}. */
    private static Map<String, String> kafkaSecretRefs(JsonNode container) {
        Map<String, String> refs = new HashMap<>();
        for (JsonNode env : container.get("env")) {
            JsonNode secret = env.at("/valueFrom/secretKeyRef");
            if (env.get("name").asText().startsWith(KafkaClientSettings.PREFIX) && !secret.isMissingNode()) {
                refs.put(env.get("name").asText(), secret.get("name").asText() + "/" + secret.get("key").asText());
            }
        }
        return refs;
    }

    /** A KafkaUser's ACLs: {@code type:name} of each literal resource, and its operations (SecuredKafkaTest too). */
    static Map<String, Set<String>> acls(String user) throws IOException {
        Map<String, Set<String>> acls = new HashMap<>();
        for (JsonNode acl : named(kind("KafkaUser"), user).at("/spec/authorization/acls")) {
            JsonNode resource = acl.get("resource");
            assertEquals("literal", resource.get("patternType").asText(), "no prefix grants");
            assertTrue(acls.put(resource.get("type").asText() + ":" + resource.get("name").asText(),
                    texts(acl.get("operations"))) == null, "one ACL entry per resource");
        }
        return acls;
    }

    private static Map<String, String> exampleSecrets() throws IOException {
        return Files.readAllLines(ROOT.resolve("deploy/k8s/secrets.env.example")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("=", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
    }

    private static Map<String, String> fields(JsonNode object) {
        Map<String, String> map = new HashMap<>();
        object.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> values = new LinkedHashSet<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** The text of one {@code FROM ... AS name} stage of a Dockerfile. */
    private static String stage(String dockerfile, String name) {
        Matcher m = Pattern.compile("(?ms)^FROM \\S+ AS " + name + "\\n(.*?)(?=^FROM |\\z)").matcher(dockerfile);
        assertTrue(m.find(), "no stage " + name);
        return m.group(1);
    }

    private static String finalName(String module) throws IOException {
        Matcher m = Pattern.compile("<finalName>([^<]+)</finalName>")
                .matcher(Files.readString(ROOT.resolve(module).resolve("pom.xml")));
        assertTrue(m.find(), module + " shades a runnable jar");
        return m.group(1);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
