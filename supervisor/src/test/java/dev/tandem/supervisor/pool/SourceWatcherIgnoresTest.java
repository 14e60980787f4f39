package dev.tandem.supervisor.pool;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * What the watcher must not reload on: what Python, editors and the tools themselves write while
 * they run. Reloading on those would reload on every import, keystroke or call.
 */
class SourceWatcherIgnoresTest {

  @Test
  void sourcesAndTemplatesCount() {
    for (String name :
        new String[] {
          "notes.py", "summarize.tmpl", "prompt.txt", "README.md", "system.j2", "data.json"
        }) {
      assertFalse(SourceWatcher.ignoredFile(name), name);
    }
  }

  @Test
  void bytecodeSwapFilesLogsAndTracesDoNot() {
    for (String name :
        new String[] {
          "notes.cpython-311.pyc",
          ".notes.py.swp",
          "notes.py~",
          "#notes.py#",
          ".#notes.py",
          "calls.jsonl",
          "tool.log",
          "notes.py.tmp"
        }) {
      assertTrue(SourceWatcher.ignoredFile(name), name);
    }
    for (String dir :
        new String[] {"__pycache__", ".git", ".venv", "venv", "node_modules", "notes.egg-info"}) {
      assertTrue(SourceWatcher.ignoredDirectory(dir), dir);
    }
    assertFalse(SourceWatcher.ignoredDirectory("prompts"));
  }

  @Test
  void templatesAreReReadByTheWorkersOtherFilesNeedAReload() {
    assertTrue(
        SourceWatcher.rereadByWorkers(java.nio.file.Path.of("tools/prompts/summarize.tmpl")));
    for (String name : new String[] {"notes.py", "prompt.txt", "data.json", "summarize.tmpl.py"}) {
      assertFalse(SourceWatcher.rereadByWorkers(java.nio.file.Path.of(name)), name);
    }
  }
}
