package dev.tandem.supervisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Every command's {@code --help} as a newcomer reads it in an 80-column terminal (picocli's usage
 * width). picocli wraps each description element as one paragraph, so a newline written inside a
 * sentence came out as a short line followed by a re-wrapped fragment, and a command summary (the
 * first element) written as half a sentence showed in {@code tandem --help} cut off mid-sentence.
 */
class HelpAt80ColumnsTest {

  static Stream<String> commands() {
    CommandLine root = new CommandLine(new Main());
    return Stream.concat(Stream.of(""), root.getSubcommands().keySet().stream());
  }

  @ParameterizedTest(name = "tandem {0} --help")
  @MethodSource("commands")
  void noLineIsWiderThan80Columns(String command) {
    for (String line : render(command, 80).lines().toList()) {
      assertTrue(
          line.length() <= 80,
          "tandem " + command + " --help: " + line.length() + " columns: " + line);
    }
  }

  /** Wrapped at 80 columns, the words are those of a rendering too wide to wrap: none was split. */
  @ParameterizedTest(name = "tandem {0} --help")
  @MethodSource("commands")
  void noWordIsBrokenAcrossLines(String command) {
    List<String> whole = words(render(command, 1000));
    List<String> wrapped = words(render(command, 80));
    List<String> broken = wrapped.stream().filter(w -> !whole.contains(w)).toList();
    assertEquals(
        List.of(),
        broken,
        "tandem "
            + command
            + " --help: pieces of words split across lines (picocli breaks"
            + " after '.' and ':'; reword so the word falls elsewhere):\n"
            + render(command, 80));
    assertEquals(whole, wrapped, "tandem " + command + " --help");
  }

  /** Each description element is a paragraph: a sentence (or several) ending in a full stop. */
  @ParameterizedTest(name = "tandem {0} --help")
  @MethodSource("commands")
  void everyParagraphOfACommandsDescriptionEndsItsSentence(String command) {
    if (spec(command).userObject() instanceof CommandLine.HelpCommand) return; // picocli's own text
    for (String paragraph : spec(command).usageMessage().description()) {
      assertFalse(
          paragraph.contains("\n") || paragraph.contains("%n"),
          "a hard line break in: " + paragraph);
      assertTrue(
          paragraph.isEmpty() || paragraph.endsWith("."),
          "tandem " + command + ": a paragraph cut mid-sentence: " + paragraph);
    }
  }

  /**
   * An option's description is one element: a second would start a new line in the middle of it.
   */
  @ParameterizedTest(name = "tandem {0} --help")
  @MethodSource("commands")
  void everyOptionIsDescribedInOnePiece(String command) {
    List<String[]> described = new ArrayList<>();
    for (OptionSpec o : spec(command).options()) described.add(o.description());
    for (PositionalParamSpec p : spec(command).positionalParameters())
      described.add(p.description());
    for (String[] d : described) {
      assertTrue(
          d.length <= 1,
          "tandem "
              + command
              + ": a description in "
              + d.length
              + " pieces: "
              + Arrays.toString(d));
      if (d.length == 1)
        assertFalse(d[0].contains("\n") || d[0].contains("%n"), "a hard line break in: " + d[0]);
    }
  }

  /**
   * The Commands list of {@code tandem --help}: each summary one whole sentence, however wrapped.
   */
  @Test
  void eachCommandsSummaryIsOneWholeSentence() {
    List<String> lines = render("", 80).lines().toList();
    int start = lines.indexOf("Commands:");
    assertTrue(start >= 0, String.join("\n", lines));
    List<String> summaries = new ArrayList<>();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.isBlank()) break;
      if (line.matches("  \\S.*")) summaries.add(line.strip().split("\\s{2,}", 2)[1]);
      else summaries.set(summaries.size() - 1, summaries.getLast() + " " + line.strip());
    }
    assertEquals(
        new CommandLine(new Main()).getSubcommands().size(),
        summaries.size(),
        summaries.toString());
    for (String summary : summaries) {
      assertTrue(summary.endsWith("."), "a summary cut mid-sentence: " + summary);
      assertFalse(
          summary.substring(0, summary.length() - 1).matches(".*[.!?] [A-Z].*"),
          "a summary of more than one sentence: " + summary);
    }
  }

  private static CommandSpec spec(String command) {
    CommandLine root = new CommandLine(new Main());
    return (command.isEmpty() ? root : root.getSubcommands().get(command)).getCommandSpec();
  }

  private static String render(String command, int width) {
    CommandLine root = new CommandLine(new Main());
    root.setUsageHelpWidth(width);
    CommandLine cmd = command.isEmpty() ? root : root.getSubcommands().get(command);
    StringWriter out = new StringWriter();
    cmd.usage(new PrintWriter(out), CommandLine.Help.Ansi.OFF);
    return out.toString();
  }

  private static List<String> words(String text) {
    return List.of(text.strip().split("\\s+"));
  }
}
