package dev.tandem.bench;

import java.util.Arrays;

/** Nearest-rank percentiles and medians of measurements in nanoseconds. */
final class Stats {

  private Stats() {}

  static long percentile(long[] values, int count, double p) {
    long[] sorted = Arrays.copyOf(values, count);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * count);
    return sorted[Math.max(0, Math.min(count - 1, rank - 1))];
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static double micros(long nanos) {
    return nanos / 1_000.0;
  }

  static double millis(long nanos) {
    return nanos / 1_000_000.0;
  }

  static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
