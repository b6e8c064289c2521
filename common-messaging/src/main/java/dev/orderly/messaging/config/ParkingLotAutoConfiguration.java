package dev.orderly.messaging.config;

import dev.orderly.contracts.Topology;
import dev.orderly.messaging.consumer.ConsumerMetrics;
import dev.orderly.messaging.consumer.MessagingProperties;
import dev.orderly.messaging.consumer.Republisher;
import dev.orderly.messaging.parking.ParkedMessages;
import dev.orderly.messaging.parking.ParkingAudit;
import dev.orderly.messaging.parking.ParkingLotEndpoint;
import dev.orderly.messaging.parking.ParkingLotOperations;
import dev.orderly.messaging.parking.ParkingLotRecorder;
import java.time.Clock;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.amqp.autoconfigure.RabbitProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The parking lot of a worker ({@code orderly.messaging.domain} set): parked messages moved from {@code D.parking-lot}
 * into {@code parked_messages} (unless {@code orderly.messaging.parking-lot.record=false}), replayed and purged through
 * {@link ParkingLotOperations}, audited in {@code parking_audit}, and served by the {@code parkinglot} actuator
 * endpoint where actuator is present.
 */
@AutoConfiguration(after = ConsumerAutoConfiguration.class)
@ConditionalOnClass({RabbitTemplate.class, JdbcClient.class, RabbitProperties.class})
@ConditionalOnProperty(prefix = "orderly.messaging", name = "domain")
public class ParkingLotAutoConfiguration {

    /** The parking-lot recorder's container's bean name. */
    public static final String PARKING_CONTAINER = "orderlyParkingLotContainer";

    @Bean
    ParkedMessages parkedMessages(JdbcClient jdbc, MessagingProperties properties) {
        return new ParkedMessages(jdbc, properties.schema());
    }

    @Bean
    ParkingLotOperations parkingLotOperations(
            MessagingProperties properties,
            ParkedMessages parked,
            ParkingAudit audit,
            Republisher republisher,
            PlatformTransactionManager transactionManager,
            ObjectProvider<Clock> clock) {
        return new ParkingLotOperations(
                properties.domain(),
                parked,
                audit,
                republisher,
                new TransactionTemplate(transactionManager),
                properties.parkingLot().replayRate(),
                properties.parkingLot().replayWait(),
                properties.parkingLot().replayLimit(),
                clock.getIfAvailable(Clock::systemUTC));
    }

    @Bean(PARKING_CONTAINER)
    @ConditionalOnProperty(
            prefix = "orderly.messaging.parking-lot",
            name = "record",
            havingValue = "true",
            matchIfMissing = true)
    SimpleMessageListenerContainer orderlyParkingLotContainer(
            SimpleRabbitListenerContainerFactory orderlyListenerContainerFactory,
            ParkedMessages parked,
            ConsumerMetrics metrics,
            MessagingProperties properties) {
        SimpleMessageListenerContainer container = orderlyListenerContainerFactory.createListenerContainer();
        container.setQueueNames(Topology.parkingLot(properties.domain()));
        container.setConcurrentConsumers(1);
        container.setMaxConcurrentConsumers(1);
        container.setPrefetchCount(10);
        container.setListenerId(Topology.parkingLot(properties.domain()));
        container.setMissingQueuesFatal(false);
        // The runtime counts what it parks itself; what the broker dead-lettered (the work queue's delivery limit)
        // is counted here, once, when it is first recorded, so alerts on parked messages see it too.
        container.setMessageListener(new ParkingLotRecorder(parked, container::isRunning, metrics::parkedByTheBroker));
        return container;
    }

    @Bean
    ParkingAudit parkingAudit(JdbcClient jdbc, MessagingProperties properties) {
        return new ParkingAudit(jdbc, properties.schema());
    }

    /** The actuator endpoint, where actuator is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    static class ParkingLotEndpointConfiguration {

        @Bean
        ParkingLotEndpoint parkingLotEndpoint(
                ParkedMessages parked, ParkingAudit audit, ParkingLotOperations operations) {
            return new ParkingLotEndpoint(parked, audit, operations);
        }
    }
}
