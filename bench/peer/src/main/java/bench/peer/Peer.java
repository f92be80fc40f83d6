package bench.peer;

import java.util.List;
import java.util.Map;

import io.quarkus.funqy.Funq;

/** A bare function: takes the request as a map and answers a map, as small as a Funqy function gets. */
public class Peer {

    @Funq("generate")
    public Map<String, Object> generate(Map<String, Object> request) {
        return Map.of("created", System.currentTimeMillis() / 1000,
                "data", List.of(Map.of("url", "https://peer.invalid/image.png")));
    }
}
