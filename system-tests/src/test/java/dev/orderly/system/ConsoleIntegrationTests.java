package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.testsupport.AuthUser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;

/**
 * The operator's console as a person uses it, in a real headless Chromium against the running pipeline: signed in at
 * the auth-server's form, the overview counts the orders placed and shows the queues drained; a poison message shows
 * up under its reason, is inspected, replayed (and parks again: a replay does not mend a body) and purged only once
 * the parking lot's name is typed, and both actions are in the worker's audit under the operator's name; an order
 * parked while the payment gateway was down ships once the gateway is back and its group is replayed; a viewer
 * sees no replay or purge button, and the replay they send anyway is refused by the worker. The screenshots the README
 * shows are made here.
 */
@ExtendWith(PipelineExtension.class)
class ConsoleIntegrationTests {

    private final Pipeline pipeline;
    private final Shop shop;
    private final PaymentWork paymentWork;
    private final ParkingLot paymentParkingLot;
    private final Faults faults;

    ConsoleIntegrationTests(Pipeline pipeline) {
        this.pipeline = pipeline;
        this.shop = new Shop(pipeline);
        this.paymentWork = new PaymentWork(pipeline);
        this.paymentParkingLot = new ParkingLot(pipeline, "payment");
        this.faults = new Faults(pipeline);
    }

    @Test
    void theOverviewCountsTheOrdersPlacedAndShowsTheWorkQueuesDrained() {
        try (Browser browser = Browser.open(pipeline).signIn(pipeline, AuthUser.OPERATOR)) {
            long before = browser.await("the accepted orders", d -> number(browser.text("accepted")));
            long completedBefore = browser.await("the completed orders", d -> number(browser.text("completed")));
            assertThat(browser.text("role")).isEqualTo("operator");

            String sku = shop.newSku(100);
            List<String> orders = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                orders.add(shop.place(sku, 1));
            }
            orders.forEach(order -> shop.awaitStatus(order, "SHIPPED"));

            browser.await(
                    (before + 5) + " accepted orders",
                    d -> Long.valueOf(before + 5).equals(number(browser.text("accepted"))));
            browser.await(
                    (completedBefore + 5) + " completed orders",
                    d -> Long.valueOf(completedBefore + 5).equals(number(browser.text("completed"))));
            browser.await("every work queue drained, each with its consumers", d -> {
                List<List<String>> work = browser.rows("#queues tr[data-queue$='.work']");
                return work.size() == 3
                        && work.stream()
                                .allMatch(row ->
                                        row.get(1).equals("0") && !row.get(3).equals("0"));
            });
            assertThat(browser.text("orders-source")).isEqualTo("from order-api /actuator/prometheus");
            assertThat(browser.text("queues-source")).startsWith("from RabbitMQ management API");
            assertThat(browser.rows("#outboxes tbody tr"))
                    .extracting(List::getFirst)
                    .contains("orders.outbox", "payments.outbox", "shipping.outbox");
            assertThat(browser.text("stuck")).contains("(from order-api: orderly_orders_stuck)");
            browser.screenshot("console-overview.png", "overview");

            browser.find(By.id("order-id")).sendKeys(orders.getFirst());
            browser.click(By.cssSelector("#order-form button"));
            browser.await(
                    "the order's timeline", d -> browser.text("order-status").contains("SHIPPED"));
            assertThat(browser.texts("#order .timeline li"))
                    .anySatisfy(stage -> assertThat(stage).startsWith("PENDING"))
                    .anySatisfy(stage -> assertThat(stage).startsWith("SHIPPED"));

            WebElement lookup = browser.find(By.id("order-id"));
            lookup.clear();
            lookup.sendKeys(shop.customer());
            browser.click(By.cssSelector("#order-form button"));
            browser.await(
                    "the customer's latest orders, the last one placed among them",
                    d -> browser.texts("#customer-orders a.customer-order").contains(orders.getLast()));
            browser.click(By.xpath("//ul[@id='customer-orders']//a[text()='" + orders.getLast() + "']"));
            browser.await(
                    "that order's timeline", d -> browser.text("order-status").startsWith(orders.getLast()));
        }
    }

    @Test
    void aPoisonMessageIsGroupedByItsReasonReplayedAndPurgedOnlyWithTheTypedConfirmationAndAudited() throws Exception {
        String poisonId = "console-poison-" + UUID.randomUUID();
        long parked = park(poisonId, "{\"event_id\": not json at all");

        try (Browser browser = Browser.open(pipeline).signIn(pipeline, AuthUser.OPERATOR)) {
            browser.click(groupButton("Messages"));
            browser.click(By.cssSelector("#lot-payment tr.parked-message[data-id='" + parked + "'] button"));
            browser.await(
                    "the message's body", d -> browser.text("message-body").contains("not json at all"));
            assertThat(browser.findAll(By.cssSelector("#lot-payment button.replay-all")))
                    .as("an operator may replay the whole parking lot")
                    .hasSize(1);
            assertThat(browser.text("message-summary")).contains("UNPARSEABLE").contains(poisonId);
            browser.screenshot("console-parking-lot.png", "parking-lots");

            Map<String, Object> forged = browser.fetch("POST", "api/parking-lots/payment/replay?id=" + parked, false);
            assertThat(forged.get("status"))
                    .as("a change without the CSRF token")
                    .isEqualTo(403L);
            assertThat(paymentParkingLot.show(parked).status())
                    .as("still parked")
                    .isEqualTo(200);

            browser.click(By.id("message-replay"));
            browser.await("the replay's outcome", d -> browser.text("status").startsWith("Replayed 1 message"));
            long again = paymentParkingLot.awaitParked(poisonId).path("id").asLong();
            assertThat(again)
                    .as("a replay does not mend a body: parked again, as a new row")
                    .isNotEqualTo(parked);

            browser.click(By.cssSelector("#lot-payment button.replay-all"));
            await("Replay all: the poison parked again, as a row after " + again)
                    .atMost(Duration.ofSeconds(30))
                    .until(
                            () -> paymentParkingLot
                                    .find(poisonId)
                                    .map(row -> row.path("id").asLong())
                                    .orElse(again),
                            id -> id != again);

            browser.click(groupButton("Purge group…"));
            WebElement purge = browser.find(By.id("confirm-purge"));
            assertThat(browser.text("confirm-name")).isEqualTo("payment.parking-lot");
            assertThat(purge.isEnabled()).as("nothing typed yet").isFalse();
            browser.find(By.id("confirm-input")).sendKeys("payment");
            assertThat(purge.isEnabled()).as("not the parking lot's name").isFalse();
            browser.find(By.id("confirm-input")).sendKeys(".parking-lot");
            assertThat(purge.isEnabled()).isTrue();
            purge.click();
            browser.await("the purge's outcome", d -> browser.text("status").startsWith("Purged "));
            assertThat(paymentParkingLot.find(poisonId)).isEmpty();
            browser.await(
                    "the group gone", d -> browser.findAll(By.xpath(GROUP)).isEmpty());

            JsonNode audit = paymentParkingLot.audit();
            assertThat(audit).anySatisfy(entry -> {
                assertThat(entry.path("action").asString()).isEqualTo("REPLAY");
                assertThat(entry.path("selection").asString()).isEqualTo("id=" + parked);
                assertThat(entry.path("actor").asString()).isEqualTo("operator");
            });
            assertThat(audit).anySatisfy(entry -> {
                assertThat(entry.path("action").asString()).isEqualTo("REPLAY");
                assertThat(entry.path("selection").asString()).isEqualTo("all");
                assertThat(entry.path("actor").asString()).isEqualTo("operator");
            });
            assertThat(audit).anySatisfy(entry -> {
                assertThat(entry.path("action").asString()).isEqualTo("PURGE");
                assertThat(entry.path("selection").asString()).contains("UNPARSEABLE");
                assertThat(entry.path("actor").asString()).isEqualTo("operator");
            });
            browser.await(
                    "the purge in the page's audit",
                    d -> browser.rows("#audit tbody tr").stream()
                            .anyMatch(row -> row.get(1).equals("payment")
                                    && row.get(2).equals("operator")
                                    && row.get(3).equals("PURGE")));
        }
    }

    @Test
    void anOrderParkedWhileTheGatewayWasDownShipsOnceTheGatewayIsBackAndItsGroupIsReplayed() throws Exception {
        // The payment gateway down: every call fails as unavailable, and two attempts are all a message gets, so that
        // the order's inventory.reserved is parked within seconds rather than after the retry tiers' minutes.
        faults.stop("payment-worker");
        String order;
        long parked;
        try {
            faults.up(
                    "payment-gateway-down",
                    Map.of(
                            "ORDERLY_PAYMENT_SIMULATOR_TRANSIENT_FAILURE_RATE", "1",
                            "ORDERLY_MESSAGING_RETRY_MAX_ATTEMPTS", "2"));
            order = shop.place(shop.newSku(10), 1);
            shop.awaitStatus(order, "RESERVED");
            parked = paymentParkingLot
                    .awaitParked(reservedEventId(order))
                    .path("id")
                    .asLong();
            assertThat(shop.order(order).path("status").asString())
                    .as("waiting for its payment")
                    .isEqualTo("RESERVED");
        } finally {
            // The gateway back: payment-worker with its usual settings.
            faults.stop("payment-worker");
            faults.up("payment-gateway-back");
            faults.awaitAllReady();
        }

        try (Browser browser = Browser.open(pipeline).signIn(pipeline, AuthUser.OPERATOR)) {
            browser.click(exhaustedButton("Messages"));
            browser.click(By.cssSelector("#lot-payment tr.parked-message[data-id='" + parked + "'] button"));
            browser.await(
                    "the parked message's reason",
                    d -> browser.text("message-summary").contains("ATTEMPTS_EXHAUSTED"));
            assertThat(browser.text("message-body")).contains(order);

            browser.click(exhaustedButton("Replay group"));

            browser.await("the replay's outcome", d -> browser.text("status").startsWith("Replayed "));
            shop.awaitStatus(order, "SHIPPED");
            browser.await(
                    "the group gone once replayed",
                    d -> browser.findAll(By.xpath(EXHAUSTED)).isEmpty());
            assertThat(paymentParkingLot.audit()).anySatisfy(entry -> {
                assertThat(entry.path("action").asString()).isEqualTo("REPLAY");
                assertThat(entry.path("selection").asString())
                        .isEqualTo("eventType=inventory.reserved,reason=ATTEMPTS_EXHAUSTED");
                assertThat(entry.path("actor").asString()).isEqualTo("operator");
            });
            assertThat(shop.order(order).path("timeline"))
                    .as("the payment's step was replayed, the reservation's not")
                    .anySatisfy(step -> {
                        assertThat(step.path("status").asString()).isEqualTo("PAID");
                        assertThat(step.path("replayed").asBoolean()).isTrue();
                    })
                    .anySatisfy(step -> {
                        assertThat(step.path("status").asString()).isEqualTo("RESERVED");
                        assertThat(step.path("replayed").asBoolean()).isFalse();
                    });

            browser.find(By.id("order-id")).sendKeys(order);
            browser.click(By.cssSelector("#order-form button"));
            browser.await(
                    "the order's timeline", d -> browser.text("order-status").contains("SHIPPED"));
            assertThat(browser.texts("#order .timeline li.retried"))
                    .as("the picture marks the replayed step")
                    .anySatisfy(stage -> assertThat(stage).startsWith("PAID").endsWith("replayed from a parking lot"));
            browser.screenshot("console-order.png", "order");
        }
    }

    @Test
    void aViewerSeesNoReplayOrPurgeButtonAndAReplaySentAnywayIsRefusedByTheWorker() throws Exception {
        String poisonId = "console-viewer-" + UUID.randomUUID();
        long parked = park(poisonId, "{\"event_id\": not json either");
        try (Browser browser = Browser.open(pipeline).signIn(pipeline, AuthUser.VIEWER)) {
            assertThat(browser.text("role")).isEqualTo("read-only");
            browser.await(
                    "the UNPARSEABLE group in payment.parking-lot",
                    d -> !d.findElements(By.xpath(GROUP)).isEmpty());
            List<String> buttons = browser.await(
                    "the group's buttons, read while the page was not redrawing them",
                    d -> d.findElements(By.xpath(GROUP + "//button")).stream()
                            .map(WebElement::getText)
                            .toList());
            assertThat(buttons).containsExactly("Messages");
            browser.click(groupButton("Messages"));
            browser.click(By.cssSelector("#lot-payment tr.parked-message[data-id='" + parked + "'] button"));
            browser.await(
                    "the message's body", d -> browser.text("message-body").contains("not json either"));
            assertThat(browser.find(By.id("message-replay")).isDisplayed()).isFalse();
            assertThat(browser.findAll(By.cssSelector("#lot-payment button.replay-all")))
                    .as("no Replay all either")
                    .isEmpty();
            assertThat(browser.find(By.id("message-purge")).isDisplayed()).isFalse();

            Map<String, Object> refused = browser.fetch("POST", "api/parking-lots/payment/replay?id=" + parked);

            assertThat(refused.get("status")).isEqualTo(403L);
            assertThat((String) refused.get("body")).contains("parkinglot:replay");
            assertThat(paymentParkingLot.find(poisonId))
                    .as("nothing was replayed")
                    .isPresent();
            assertThat(paymentParkingLot.audit())
                    .noneSatisfy(
                            entry -> assertThat(entry.path("actor").asString()).isEqualTo("viewer"));
        } finally {
            paymentParkingLot.purge(parked);
        }
    }

    @Test
    void aStuckOrderIsCountedAndListedWithALinkToItsTimeline() throws Exception {
        UUID stuck = UUID.randomUUID();
        try (java.sql.Connection database = pipeline.database(dev.orderly.testsupport.Service.ORDER_API);
                java.sql.PreparedStatement insert = database.prepareStatement(
                        "INSERT INTO orders.orders (id, customer_id, currency, total_cents, status, created_at,"
                                + " updated_at) VALUES (?, 'c-console-stuck', 'EUR', 100, 'PAID',"
                                + " now() - interval '2 hours', now())")) {
            insert.setObject(1, stuck);
            insert.executeUpdate();
        }
        try (Browser browser = Browser.open(pipeline).signIn(pipeline, AuthUser.VIEWER)) {
            // order-api counts stuck orders every 30 s; the page lists them once it has.
            browser.click(By.xpath("//ul[@id='stuck-orders']//a[text()='" + stuck + "']"));
            browser.await(
                    "the stuck order's status",
                    d -> browser.text("order-status").contains("PAID"));
            assertThat(browser.text("stuck")).contains("PAID");
        } finally {
            try (java.sql.Connection database = pipeline.database(dev.orderly.testsupport.Service.ORDER_API);
                    java.sql.PreparedStatement ship =
                            database.prepareStatement("UPDATE orders.orders SET status = 'SHIPPED' WHERE id = ?")) {
                ship.setObject(1, stuck);
                ship.executeUpdate();
            }
        }
    }

    @Test
    void signingOutEndsTheConsolesSessionAndTheAuthorizationServersSoTheNextVisitSignsInAgain() {
        try (Browser browser = Browser.open(pipeline).signIn(pipeline, AuthUser.VIEWER)) {
            browser.click(By.id("sign-out"));
            // The authorization server's own sign-out asks for a confirmation (a POST with its CSRF token).
            browser.await(
                    "the authorization server's sign-out",
                    d -> d.getCurrentUrl().endsWith("/logout"));
            browser.click(By.cssSelector("button[type=submit]"));
            browser.await("signed out there too", d -> d.getCurrentUrl().endsWith("/login?logout"));

            browser.reopen();

            browser.await(
                    "the sign-in form again",
                    d -> !d.findElements(By.name("username")).isEmpty());
            assertThat(browser.url()).doesNotStartWith("http://127.0.0.1:" + pipeline.setting("ORDERLY_CONSOLE_PORT"));
        }
    }

    /** The payment parking lot's row of the group of unparseable inventory.reserved messages. */
    private static final String GROUP = "//div[@id='lot-payment']//tr[contains(@class, 'group')"
            + " and @data-reason='UNPARSEABLE' and @data-event-type='inventory.reserved']";

    private static By groupButton(String text) {
        return By.xpath(GROUP + "//button[text()='" + text + "']");
    }

    /** The payment parking lot's row of the group of inventory.reserved messages whose attempts ran out. */
    private static final String EXHAUSTED = "//div[@id='lot-payment']//tr[contains(@class, 'group')"
            + " and @data-reason='ATTEMPTS_EXHAUSTED' and @data-event-type='inventory.reserved']";

    private static By exhaustedButton(String text) {
        return By.xpath(EXHAUSTED + "//button[text()='" + text + "']");
    }

    /** The id of the inventory.reserved event order-worker wrote for {@code order}: its AMQP message id. */
    private String reservedEventId(String order) throws java.sql.SQLException {
        try (java.sql.Connection database = pipeline.databaseSuperuser();
                java.sql.PreparedStatement select = database.prepareStatement("SELECT event_id::text FROM orders.outbox"
                        + " WHERE event_type = 'inventory.reserved' AND aggregate_id = ?")) {
            select.setString(1, order);
            try (java.sql.ResultSet row = select.executeQuery()) {
                assertThat(row.next())
                        .as("the inventory.reserved of %s in orders.outbox", order)
                        .isTrue();
                return row.getString(1);
            }
        }
    }

    /** A signed poison message put into payment.work, once parked: its parked id. */
    private long park(String messageId, String body) throws Exception {
        paymentWork.publish(messageId, body.getBytes(StandardCharsets.UTF_8), true);
        return paymentParkingLot.awaitParked(messageId).path("id").asLong();
    }

    /** A number as the page writes it ({@code 1,234}), or null while it shows none. */
    private static Long number(String text) {
        String digits = text.replace(",", "");
        return digits.matches("\\d+") ? Long.valueOf(digits) : null;
    }
}
