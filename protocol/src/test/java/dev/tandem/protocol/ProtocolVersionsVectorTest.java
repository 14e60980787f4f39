package dev.tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * protocol/vectors/versions.json is the one list of revisions; Java and Python must both match it.
 */
class ProtocolVersionsVectorTest {

  @Test
  void supportedVersionsAreTheSharedVectorsInTheirOrder() throws IOException {
    Path file = Path.of(System.getProperty("tandem.vectors", "vectors"), "versions.json");
    JsonNode shared = Json.MAPPER.readTree(Files.readString(file));
    List<String> supported = new ArrayList<>();
    shared.get("supported").forEach(v -> supported.add(v.asText()));
    assertEquals(supported, ProtocolVersions.SUPPORTED, "ProtocolVersions.SUPPORTED vs " + file);
    assertEquals(supported.get(0), ProtocolVersions.LATEST, "LATEST is the newest shared version");
  }
}
