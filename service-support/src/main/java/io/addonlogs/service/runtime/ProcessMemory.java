package io.addonlogs.service.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code process_resident_memory_bytes}: the process's resident set (Linux {@code /proc/self/status}), i.e. what
 * the machine really gives the JVM (heap, direct buffers, metaspace, threads). Absent where there is no /proc.
 */
final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {
    }

    static void bindTo(MeterRegistry registry) {
        if (residentBytes() >= 0) {
            Gauge.builder("process.resident.memory", ProcessMemory::residentBytes).baseUnit("bytes")
                    .description("Resident set size of the process").register(registry);
        }
    }

    /** VmRSS in bytes, or -1 when unreadable. */
    static double residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").strip()) * 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
