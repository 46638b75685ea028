package io.xredline.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A parsed Prometheus text scrape: families from {@code # TYPE}, and every sample with its labels. */
public final class MetricsScrape {
  private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+).*");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  public record Sample(String name, Map<String, String> labels, double value) {
  }

  private final Map<String, String> families = new TreeMap<>();
  private final List<Sample> samples = new ArrayList<>();
  private final String text;

  private MetricsScrape(String text) {
    this.text = text;
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        families.put(parts[2], parts[3]);
      } else if (!line.startsWith("#") && !line.isBlank()) {
        Matcher m = SAMPLE.matcher(line);
        if (m.matches()) {
          Map<String, String> labels = new LinkedHashMap<>();
          if (m.group(3) != null) {
            Matcher l = LABEL.matcher(m.group(3));
            while (l.find()) {
              labels.put(l.group(1), l.group(2));
            }
          }
          samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
      }
    }
  }

  public static MetricsScrape of(TestApp app) {
    var response = app.get(app.config().monitoring().metrics().path());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("scrape answered " + response.statusCode());
    }
    return new MetricsScrape(response.body());
  }

  public String text() {
    return text;
  }

  /** Family name → type (counter, gauge, histogram, summary). */
  public Map<String, String> families() {
    return families;
  }

  /** Names that appear on sample lines (histograms contribute _bucket, _count, _sum). */
  public java.util.Set<String> sampleNames() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    samples.forEach(s -> names.add(s.name()));
    return names;
  }

  public List<Sample> samples(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** Sum of the samples of {@code name} whose labels include all of {@code match}. */
  public double sum(String name, Map<String, String> match) {
    return samples(name).stream().filter(s -> s.labels().entrySet().containsAll(match.entrySet()))
        .mapToDouble(Sample::value).sum();
  }

  public int seriesCount(String name) {
    return samples(name).size();
  }
}
