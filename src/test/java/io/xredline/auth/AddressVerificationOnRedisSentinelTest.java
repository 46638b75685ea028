package io.xredline.auth;

import io.xredline.testing.OnRedisTopology;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every scenario of {@link AddressVerificationTest}, unchanged, with the service on Redis Sentinel (one master, one replica, three sentinels). */
@Tag("e2e")
@ExtendWith(OnRedisTopology.Sentinel.class)
@DisplayName("AddressVerificationTest scenarios on Redis Sentinel (one master, one replica, three sentinels)")
class AddressVerificationOnRedisSentinelTest extends AddressVerificationTest {
}
