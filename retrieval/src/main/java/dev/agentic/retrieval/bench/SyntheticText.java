package dev.agentic.retrieval.bench;

import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Readable English made from a seeded grammar over an operations vocabulary: varied enough that
 * embeddings spread out, repeatable from one run to the next.
 */
final class SyntheticText {
    private static final List<String> TOPICS = List.of(
            "billing",
            "password reset",
            "deployment",
            "backups",
            "rate limits",
            "invoices",
            "single sign-on",
            "the message queue",
            "search indexing",
            "data export",
            "audit logs",
            "webhooks",
            "TLS certificates",
            "the mobile app",
            "team permissions",
            "usage quotas",
            "log retention",
            "the status page",
            "database migrations",
            "email notifications");
    private static final List<String> SUBJECTS = List.of(
            "The administrator",
            "Each worker",
            "The billing service",
            "A new customer",
            "The support team",
            "The scheduler",
            "Every tenant",
            "The nightly job",
            "The API gateway",
            "An operator",
            "The client",
            "The load balancer",
            "The security team",
            "The ingestion pipeline",
            "A developer");
    private static final List<String> VERBS = List.of(
            "configures",
            "reviews",
            "retries",
            "monitors",
            "exports",
            "rotates",
            "validates",
            "archives",
            "throttles",
            "restores",
            "documents",
            "approves",
            "migrates",
            "encrypts",
            "schedules");
    private static final List<String> OBJECTS = List.of(
            "the settings for",
            "a report about",
            "the limits of",
            "an alert on",
            "the history of",
            "a checklist for",
            "the defaults of",
            "a summary of",
            "the errors in",
            "a backup of");
    private static final List<String> ENDINGS = List.of(
            "before the end of the month",
            "after every release",
            "when the queue grows",
            "during the maintenance window",
            "once a week",
            "whenever a tenant asks",
            "at the first sign of trouble",
            "with a second pair of eyes",
            "without downtime",
            "within one business day");

    private final Random random;

    SyntheticText(long seed) {
        this.random = new Random(seed);
    }

    String topic() {
        return pick(TOPICS);
    }

    String sentence(String topic) {
        return pick(SUBJECTS) + " " + pick(VERBS) + " " + pick(OBJECTS) + " " + topic + " " + pick(ENDINGS) + ".";
    }

    String paragraph(String topic, int sentences) {
        StringBuilder paragraph = new StringBuilder();
        for (int i = 0; i < sentences; i++) {
            paragraph.append(i == 0 ? "" : " ").append(sentence(i % 3 == 2 ? topic() : topic));
        }
        return paragraph.toString();
    }

    /** A Markdown document: a title and three sections of two or three paragraphs. */
    String markdown(String title) {
        StringBuilder doc = new StringBuilder("# ").append(title).append("\n\n");
        for (int s = 0; s < 3; s++) {
            String topic = topic();
            doc.append("## ").append(capitalised(topic)).append("\n\n");
            int paragraphs = 2 + random.nextInt(2);
            for (int p = 0; p < paragraphs; p++) {
                doc.append(paragraph(topic, 2 + random.nextInt(4))).append("\n\n");
            }
        }
        return doc.toString();
    }

    /** A question-like query about one topic. */
    String query() {
        String topic = topic();
        return "How does " + pick(SUBJECTS).toLowerCase(Locale.ROOT) + " handle " + topic + " " + pick(ENDINGS) + "?";
    }

    private String pick(List<String> words) {
        return words.get(random.nextInt(words.size()));
    }

    private static String capitalised(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
