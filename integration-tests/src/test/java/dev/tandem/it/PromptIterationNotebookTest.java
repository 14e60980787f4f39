package dev.tandem.it;

import org.junit.jupiter.api.Test;

/**
 * examples/notebooks/prompt-iteration.ipynb runs headlessly against the real daemon (stdlib runner,
 * integration-tests/python/notebook_runner.py) and its outputs show the prompt edit's before and
 * after, side by side.
 */
class PromptIterationNotebookTest {

  @Test
  void notebookRunsAndItsOutputsShowBeforeAndAfter() throws Exception {
    PythonTests.run("test_prompt_iteration_notebook", 300);
  }
}
