package dev.synthiabot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.synthiabot.server.Admission.Refused;
import dev.synthiabot.server.Admission.Refusal;
import dev.synthiabot.server.Admission.Ticket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The places and the line, without a server: first come first served, refused when full or closed. */
class AdmissionTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    private final Admission admission = new Admission(1, 2);
    private final List<String> admitted = new CopyOnWriteArrayList<>();
    private final List<Ticket> tickets = new CopyOnWriteArrayList<>();
    private final List<Refusal> refused = new CopyOnWriteArrayList<>();

    private Thread waiter(String name) {
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                Ticket ticket = admission.enter();
                tickets.add(ticket);
                admitted.add(name);
            } catch (Refused r) {
                refused.add(r.reason());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return t;
    }

    @Test
    void freedPlacesGoToTheWaitersInTheOrderTheyCame() throws Exception {
        Ticket first = admission.enter();
        waiter("second");
        await().atMost(BOUND).until(() -> admission.waiting() == 1);
        waiter("third");
        await().atMost(BOUND).until(() -> admission.waiting() == 2);
        assertThatThrownBy(admission::enter).isInstanceOfSatisfying(Refused.class, r -> assertThat(r.reason()).isEqualTo(Refusal.QUEUE_FULL));

        first.close();
        first.close(); // a second close gives nothing back twice
        await().atMost(BOUND).until(() -> admitted.size() == 1);
        assertThat(admitted).containsExactly("second");
        assertThat(admission.running()).isEqualTo(1);
        assertThat(admission.waiting()).isEqualTo(1);

        tickets.get(0).close();
        await().atMost(BOUND).until(() -> admitted.size() == 2);
        assertThat(admitted).containsExactly("second", "third");

        tickets.get(1).close();
        assertThat(admission.running()).isZero();
    }

    @Test
    void closingSendsTheWaitersAwayAndRefusesNewcomers() throws Exception {
        Ticket running = admission.enter();
        Thread waiting = waiter("waiting");
        await().atMost(BOUND).until(() -> admission.waiting() == 1);

        admission.close();

        assertThat(waiting.join(BOUND)).isTrue();
        assertThat(refused).containsExactly(Refusal.CLOSED);
        assertThat(admitted).isEmpty();
        assertThatThrownBy(admission::enter).isInstanceOfSatisfying(Refused.class, r -> assertThat(r.reason()).isEqualTo(Refusal.CLOSED));
        running.close();
        assertThat(admission.running()).isZero();
    }

    @Test
    void aWaiterInterruptedLeavesTheLine() throws Exception {
        Ticket running = admission.enter();
        Thread waiting = waiter("waiting");
        await().atMost(BOUND).until(() -> admission.waiting() == 1);

        waiting.interrupt();

        assertThat(waiting.join(BOUND)).isTrue();
        assertThat(admission.waiting()).isZero();
        running.close();
        assertThat(admission.running()).isZero();
        assertThat(admitted).isEmpty();
    }

    @Test
    void morePlacesOnceTheModelSaysSoLetTheWaitersInInOrder() throws Exception {
        Ticket first = admission.enter();
        waiter("second");
        await().atMost(BOUND).until(() -> admission.waiting() == 1);
        waiter("third");
        await().atMost(BOUND).until(() -> admission.waiting() == 2);

        admission.runUpTo(3);

        await().atMost(BOUND).until(() -> admitted.size() == 2);
        assertThat(admitted).as("both let in at once (which records first is up to the threads)").containsExactlyInAnyOrder("second", "third");
        assertThat(admission.running()).isEqualTo(3);
        assertThat(admission.waiting()).isZero();
        admission.runUpTo(2); // only grows
        assertThat(admission.maxRunning()).isEqualTo(3);
        first.close();
        tickets.forEach(Ticket::close);
        assertThat(admission.running()).isZero();
    }
}
