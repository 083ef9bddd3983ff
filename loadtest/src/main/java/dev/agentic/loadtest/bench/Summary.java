package dev.agentic.loadtest.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One figure over its repetitions: the median with min and max, and every value. */
record Summary(String unit, List<Double> values) {
    Summary {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a figure needs at least one value");
        }
        values = List.copyOf(values);
    }

    static Summary of(String unit, List<Double> values) {
        return new Summary(unit, values);
    }

    double median() {
        return percentile(sorted(values), 0.5);
    }

    double min() {
        return Collections.min(values);
    }

    double max() {
        return Collections.max(values);
    }

    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("unit", unit);
        json.put("median", round(median()));
        json.put("min", round(min()));
        json.put("max", round(max()));
        json.put("values", values.stream().map(Summary::round).toList());
        return json;
    }

    /** Nearest-rank percentile (p in 0..1) of an ascending list; the median of an even list is the mean of its middle two. */
    static double percentile(List<Double> ascending, double p) {
        int n = ascending.size();
        if (n == 0) {
            return Double.NaN;
        }
        if (p == 0.5) {
            return n % 2 == 1 ? ascending.get(n / 2) : (ascending.get(n / 2 - 1) + ascending.get(n / 2)) / 2;
        }
        return ascending.get(Math.max(0, Math.min(n - 1, (int) Math.ceil(p * n) - 1)));
    }

    static List<Double> sorted(List<Double> values) {
        List<Double> copy = new ArrayList<>(values);
        Collections.sort(copy);
        return copy;
    }

    static double round(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return value;
        }
        double scale = Math.abs(value) >= 100 ? 10 : Math.abs(value) >= 1 ? 1000 : 1_000_000;
        return Math.round(value * scale) / scale;
    }
}
