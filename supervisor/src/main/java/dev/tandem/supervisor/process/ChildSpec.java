package dev.tandem.supervisor.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to start: {@code name} labels the child's threads and log lines ({@code worker-docs-3});
 * {@code environment} changes the daemon's own, a {@code null} value removing a variable;
 * {@code directory} may be null (the daemon's).
 */
public record ChildSpec(String name, List<String> command, Map<String, String> environment, Path directory) {}
