package dev.tandem.it;

import org.junit.jupiter.api.Test;

/**
 * tandem.client (the notebook's client) against the real daemon over HTTP: connect() finds it by
 * its runtime file, tools() and call() work, reload() runs edited code, and a reload onto a syntax
 * error raises the error naming the module while the old code keeps answering.
 */
class PythonClientAgainstDaemonTest {

  @Test
  void pythonClientFindsCallsAndReloadsTheRealDaemon() throws Exception {
    PythonTests.run("test_client_against_daemon", 180);
  }
}
