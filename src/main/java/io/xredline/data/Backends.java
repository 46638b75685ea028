package io.xredline.data;

/**
 * Where PostgreSQL and Redis actually are once start-up has decided: the configured URLs, or the
 * embedded servers it started. {@code label} is what the start-up lines print (passwords masked).
 * {@code redisUrl} is the standalone server; it is null in sentinel and cluster mode, whose
 * endpoints come from {@code data.redis.endpoints}.
 */
public record Backends(String databaseUrl, String databaseLabel, String redisUrl, String redisLabel) {
}
