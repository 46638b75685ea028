package io.xredline.testing;

import java.time.Duration;

/**
 * Makes a query slow for real, so a slow-query line or counter never depends on how fast the
 * machine's PostgreSQL commits: a trigger in the test's own database sleeps inside every greeting
 * INSERT whose name starts with {@link #NAME_PREFIX}. Other greetings stay as fast as they are.
 */
public final class SlowQueries {
  public static final String NAME_PREFIX = "slow-";
  /** Well above any threshold a test sets, so the query is slow on the fastest machine. */
  public static final Duration SLEEP = Duration.ofMillis(300);
  /** The threshold to configure beside the trigger: a third of the sleep. */
  public static final String THRESHOLD = "100ms";

  private SlowQueries() {
  }

  public static void slowGreetings(String databaseUrl) {
    TestBackends.execute(databaseUrl, """
        CREATE OR REPLACE FUNCTION xrtest_slow_greeting() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.name LIKE '%s%%' THEN PERFORM pg_sleep(%s); END IF;
          RETURN NEW;
        END $$;
        DROP TRIGGER IF EXISTS xrtest_slow_greeting ON greetings;
        CREATE TRIGGER xrtest_slow_greeting BEFORE INSERT ON greetings
          FOR EACH ROW EXECUTE FUNCTION xrtest_slow_greeting();
        """.formatted(NAME_PREFIX, SLEEP.toMillis() / 1000.0));
  }
}
