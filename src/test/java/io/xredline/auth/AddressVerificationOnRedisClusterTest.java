package io.xredline.auth;

import io.xredline.testing.OnRedisTopology;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every scenario of {@link AddressVerificationTest}, unchanged, with the service on a 3-master Redis Cluster (one replica each). */
@Tag("e2e")
@ExtendWith(OnRedisTopology.Cluster.class)
@DisplayName("AddressVerificationTest scenarios on a 3-master Redis Cluster (one replica each)")
class AddressVerificationOnRedisClusterTest extends AddressVerificationTest {
}
