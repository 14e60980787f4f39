package dev.tandem.it;

import org.junit.jupiter.api.Test;

/**
 * tandem.client's tasks (start_task, task, task_result, cancel_task) against the real daemon over
 * HTTP, and another session refused the task.
 */
class PythonClientTasksTest {

  @Test
  void pythonClientStartsPollsAndFetchesATask() throws Exception {
    PythonTests.run("test_client_tasks", 180);
  }
}
