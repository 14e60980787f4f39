package dev.tandem.supervisor.admin;

/** One metric family (a name, its help, its type and its labelled samples) in a scrape. */
interface Family {
  String name();

  void writeTo(PrometheusText out);
}
