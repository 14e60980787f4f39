package dev.tandem.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.tandem.supervisor.log.Secrets;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code tandem.toml} into a {@link TandemConfig}. The tree is walked by hand rather than
 * bound to classes so that every mistake (an unknown key, a wrong type, a missing module) gets a
 * message naming the file, the table and the key, which is what a person fixing it needs.
 */
public final class ConfigLoader {

  private final Path tandemHome;
  private final Overrides overrides;

  /** Loads with the overrides of this process's environment ({@code TANDEM_*}). */
  public ConfigLoader(Path tandemHome) {
    this(tandemHome, Overrides.fromEnvironment());
  }

  /**
   * {@code envToken}: the value of {@code TANDEM_HTTP_TOKEN}, which wins over {@code [http] token}.
   */
  public ConfigLoader(Path tandemHome, String envToken) {
    this(
        tandemHome,
        Overrides.fromEnvironment(
            envToken == null ? Map.of() : Map.of(HttpConfig.TOKEN_ENV, envToken)));
  }

  public ConfigLoader(Path tandemHome, Overrides overrides) {
    this.tandemHome = tandemHome;
    this.overrides = overrides;
  }

  public TandemConfig load(Path file) {
    Path source = file.toAbsolutePath().normalize();
    JsonNode root;
    try {
      root = new TomlMapper().readTree(Files.readAllBytes(source));
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          source + ": no such file; pass an existing tandem.toml to --config");
    } catch (AccessDeniedException e) {
      throw new ConfigException(
          source + ": cannot read it (permission denied); make it readable by this user");
    } catch (IOException e) {
      if (Files.isDirectory(source)) {
        throw new ConfigException(
            source + ": is a directory, not a file; pass the tandem.toml inside it to --config");
      }
      String at =
          e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                  && j.getLocation() != null
                  && j.getLocation().getLineNr() > 0
              ? " (line "
                  + j.getLocation().getLineNr()
                  + ", column "
                  + j.getLocation().getColumnNr()
                  + ")"
              : "";
      String what =
          e instanceof com.fasterxml.jackson.core.JsonProcessingException j
              ? j.getOriginalMessage()
              : e.getMessage();
      throw new ConfigException(source + ": not valid TOML" + at + ": " + firstLine(what), e);
    }
    Path dir = source.getParent();
    if (!(root instanceof ObjectNode tree))
      throw new ConfigException(source + ": not a TOML document");
    List<String> poolNames = new ArrayList<>();
    for (JsonNode p : root.path("pool")) {
      if (p.path("name").isTextual()) poolNames.add(p.path("name").asText());
    }
    List<Overrides.Setting> settings = overrides.settings(source, poolNames);
    overrides.applyTo(tree, settings);
    Map<String, Overrides.Setting> byKey = new LinkedHashMap<>();
    for (Overrides.Setting s : settings) byKey.put(s.where() + "." + s.key(), s);
    ConfigFields fields = new ConfigFields(source, byKey);
    fields.checkKeys("the top level", root, Set.of("server", "pool", "http", "trace", "tasks"));
    ServerConfig server = ServerTable.read(fields, root.path("server"), tandemHome);
    HttpConfig http = HttpTable.read(fields, root.path("http"));
    http = http.withAuth(HttpAuthTable.read(source, http, root.get("http")));
    TraceConfig trace = TraceTable.read(fields, dir, root.path("trace"));
    TasksConfig tasks = TasksTable.read(fields, root.path("tasks"));
    JsonNode pools = root.get("pool");
    if (pools == null || !pools.isArray() || pools.isEmpty()) {
      throw new ConfigException(
          source + ": no [[pool]] table; add one with name and modules (or command)");
    }
    List<PoolConfig> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < pools.size(); i++) {
      PoolConfig pool = PoolTable.read(fields, dir, i, pools.get(i));
      if (!names.add(pool.name())) {
        throw new ConfigException(
            source + ": two pools are named \"" + pool.name() + "\"; pool names must be unique");
      }
      out.add(pool);
    }
    registerSecrets(http, out);
    return new TandemConfig(
        source, server, List.copyOf(out), http, trace, tasks, List.copyOf(settings));
  }

  /**
   * The config's secrets join the log's redaction as soon as they are known, whichever command
   * loaded it: the HTTP token, and pool env values whose names say they are credentials.
   */
  private static void registerSecrets(HttpConfig http, List<PoolConfig> pools) {
    Secrets.add("http.token", http.token());
    for (PoolConfig pool : pools) {
      pool.env()
          .forEach(
              (name, value) -> {
                if (Secrets.isSecretName(name)) Secrets.add("$" + name, value);
              });
    }
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
