package dev.orderly.messaging.config;

import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.Topology;
import dev.orderly.messaging.consumer.ConsumerMetrics;
import dev.orderly.messaging.consumer.EventHandlers;
import dev.orderly.messaging.consumer.FailureClassifier;
import dev.orderly.messaging.consumer.MessagingProperties;
import dev.orderly.messaging.consumer.ProcessedEvents;
import dev.orderly.messaging.consumer.ReliableListener;
import dev.orderly.messaging.consumer.Republisher;
import dev.orderly.messaging.consumer.WorkQueueListenerHealthIndicator;
import dev.orderly.messaging.signing.MessageKeys;
import dev.orderly.messaging.signing.SignatureVerifier;
import dev.orderly.messaging.signing.SigningProperties;
import dev.orderly.messaging.topology.DomainTopology;
import dev.orderly.messaging.topology.TopologyCheck;
import dev.orderly.messaging.topology.TopologyHealthIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.amqp.autoconfigure.CachingConnectionFactoryConfigurer;
import org.springframework.boot.amqp.autoconfigure.RabbitProperties;
import org.springframework.boot.amqp.autoconfigure.SimpleRabbitListenerContainerFactoryConfigurer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.TaskManagementConfigUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The reliable-listener runtime of a worker that sets {@code orderly.messaging.domain} and declares an
 * {@link EventHandlers} bean: the domain's topology (verified, or declared on a bare broker), the work-queue listener
 * and the signature check it runs first (the {@link MessageKeys} of {@code orderly.messaging.signing.*}: without a
 * key the worker does not start), the retry and parking republisher, the consumer metrics, readiness contributors and the processed-events purge. The
 * parking lot is {@link ParkingLotAutoConfiguration}'s, the outbox {@link OutboxAutoConfiguration}'s.
 *
 * <p>Invariant: the work-queue container always runs with manual acks, the configured prefetch, concurrency and batches
 * ({@code orderly.messaging.listener.batch-size}, {@code batch-linger}), and no container-level retry, whatever
 * {@code spring.rabbitmq.listener.simple.*} says; every other listener setting still applies, because the container
 * factory is built through Boot's configurer. A retry interceptor
 * ({@code spring.rabbitmq.listener.simple.retry.enabled=true}) would retry in a hot loop on the consumer thread and
 * then drop or requeue outside this runtime's control, so it fails startup.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"
        },
        after = OutboxAutoConfiguration.class)
@ConditionalOnClass({RabbitTemplate.class, JdbcClient.class, RabbitProperties.class})
@ConditionalOnProperty(prefix = "orderly.messaging", name = "domain")
@EnableConfigurationProperties({MessagingProperties.class, SigningProperties.class})
public class ConsumerAutoConfiguration {

    /** The work-queue listener container's bean name. */
    public static final String WORK_CONTAINER = "orderlyWorkQueueContainer";

    @Bean
    @ConditionalOnMissingBean
    EventCodec eventCodec() {
        return new EventCodec();
    }

    @Bean
    @ConditionalOnMissingBean
    MessageKeys orderlyMessageKeys(SigningProperties properties) {
        return properties.messageKeys();
    }

    @Bean
    @ConditionalOnMissingBean
    SignatureVerifier orderlySignatureVerifier(MessageKeys keys) {
        return new SignatureVerifier(keys);
    }

    @Bean
    @ConditionalOnMissingBean
    FailureClassifier failureClassifier() {
        return new FailureClassifier();
    }

    @Bean
    ProcessedEvents processedEvents(JdbcClient jdbc, MessagingProperties properties) {
        return new ProcessedEvents(jdbc, properties.schema());
    }

    /**
     * The topology this worker needs: its work queue bound for the event types it handles, its retry tiers and parking
     * lot, and the shared exchanges. For a domain of the catalogue the handled types must be exactly those the
     * deployment binds ({@link Topology#SUBSCRIPTIONS}): otherwise events would be routed to a queue nobody handles
     * them from, or not at all.
     */
    @Bean
    OrderlyTopology orderlyTopology(MessagingProperties properties, EventHandlers handlers, EventCodec codec) {
        List<String> handled = handlers.eventTypes(codec.catalog());
        if (Topology.DOMAINS.contains(properties.domain())) {
            List<String> bound = Topology.subscriptionsOf(properties.domain());
            if (!new HashSet<>(handled).equals(new HashSet<>(bound))) {
                throw new IllegalStateException(("%s handles %s, but the deployment binds %s for %s "
                                + "(dev.orderly.contracts.Topology.SUBSCRIPTIONS): change both together, and the "
                                + "deployment's topology with them")
                        .formatted(properties.consumerName(), handled, Topology.workQueue(properties.domain()), bound));
            }
        }
        return new OrderlyTopology(DomainTopology.declarables(
                        properties.domain(),
                        handled,
                        properties.retry().delays(),
                        properties.retry().deliveryLimit(),
                        true)
                .getDeclarables()
                .stream()
                .map(org.springframework.amqp.core.Declarable.class::cast)
                .toList());
    }

    /** The declarables of {@link #orderlyTopology}, as a bean type of its own so RabbitAdmin does not declare them. */
    record OrderlyTopology(List<org.springframework.amqp.core.Declarable> declarables) {}

    /**
     * Declares this worker's topology itself, on every (re)connection, where the deployment does not: a development
     * broker, the runtime's own tests ({@code orderly.messaging.topology.declare=true}). Off by default: every
     * deployment Orderly ships declares the topology before any service starts, and the services only verify it.
     */
    @Bean
    @ConditionalOnBooleanProperty(name = "orderly.messaging.topology.declare")
    Declarables orderlyDomainTopology(OrderlyTopology topology) {
        return new Declarables(topology.declarables());
    }

    /** Checks, passively, that every exchange and queue of {@link #orderlyTopology} is on the broker. */
    @Bean
    TopologyCheck orderlyTopologyCheck(
            OrderlyTopology topology, ConnectionFactory connectionFactory, MessagingProperties properties) {
        return new TopologyCheck(
                properties.consumerName(),
                topology.declarables(),
                connectionFactory,
                properties.topology().checkInterval());
    }

    /**
     * The republisher, on a connection of its own made by the very client factory Boot built for the main connection
     * factory (as Spring AMQP's own publisher connection factory is): address, credentials, TLS with the SSL bundle and
     * host-name verification, timeouts and every {@code ConnectionFactoryCustomizer} are exactly the main one's. A
     * {@code RabbitConnectionFactoryBean} of its own, even configured by Boot's configurer, would silently lose the
     * bundle: Boot applies a bundle only to its own (package-private) bean type, and connects without the client
     * certificate the broker requires.
     */
    @Bean(destroyMethod = "close")
    Republisher orderlyRepublisher(
            ConnectionFactory connectionFactory,
            CachingConnectionFactoryConfigurer factoryConfigurer,
            MessagingProperties properties) {
        if (!(connectionFactory instanceof AbstractConnectionFactory main)) {
            throw new IllegalStateException("The republisher needs Spring Boot's RabbitMQ connection factory (a "
                    + "CachingConnectionFactory) to share its client settings, but the context's is a "
                    + connectionFactory.getClass().getName());
        }
        CachingConnectionFactory republishing = new CachingConnectionFactory(main.getRabbitConnectionFactory());
        factoryConfigurer.configure(republishing);
        republishing.setConnectionNameStrategy(factory -> properties.consumerName() + "-republisher");
        return new Republisher(republishing, properties.republish().confirmTimeout());
    }

    @Bean
    SimpleRabbitListenerContainerFactory orderlyListenerContainerFactory(
            SimpleRabbitListenerContainerFactoryConfigurer configurer,
            ConnectionFactory connectionFactory,
            RabbitProperties rabbit,
            MessagingProperties properties) {
        if (rabbit.getListener().getSimple().getRetry().isEnabled()) {
            throw new IllegalStateException("spring.rabbitmq.listener.simple.retry.enabled=true conflicts with the "
                    + "reliable-listener runtime, which retries through delay queues itself; remove it and tune "
                    + "orderly.messaging.retry.* instead");
        }
        SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
        configurer.configure(factory, connectionFactory);
        factory.setAcknowledgeMode(AcknowledgeMode.MANUAL);
        factory.setPrefetchCount(properties.listener().prefetch());
        factory.setConcurrentConsumers(properties.listener().concurrency());
        factory.setMaxConcurrentConsumers(properties.listener().concurrency());
        factory.setDefaultRequeueRejected(true);
        factory.setAdviceChain();
        // A broker that refuses the login for a moment must not stop the consumers for good. By default a container
        // treats an authentication failure as fatal: it stops, never consumes again, and the service still looks
        // healthy (the rabbit health check opens a fresh connection). A restarting broker does refuse logins for a
        // moment (./orderly up sets the users' passwords only after the node has booted from the definitions), so the
        // containers keep retrying at their recovery interval instead, like after any other connection failure.
        factory.setContainerCustomizer(container -> container.setPossibleAuthenticationFailureFatal(false));
        return factory;
    }

    @Bean
    ConsumerMetrics orderlyConsumerMetrics(
            MessagingProperties properties,
            EventHandlers handlers,
            EventCodec codec,
            ObjectProvider<MeterRegistry> meters) {
        return new ConsumerMetrics(
                meters.getIfAvailable(SimpleMeterRegistry::new),
                properties.consumerName(),
                handlers.eventTypes(codec.catalog()),
                codec.catalog().eventTypes());
    }

    @Bean
    ReliableListener orderlyReliableListener(
            MessagingProperties properties,
            SignatureVerifier verifier,
            EventCodec codec,
            EventHandlers handlers,
            ProcessedEvents processedEvents,
            PlatformTransactionManager transactionManager,
            Republisher republisher,
            FailureClassifier classifier,
            ConsumerMetrics metrics,
            ObjectProvider<Clock> clock) {
        TransactionTemplate transaction = new TransactionTemplate(transactionManager);
        // Bounds a delivery's whole transaction, not only each statement: every statement gets what is left of it.
        transaction.setTimeout(
                Math.toIntExact(properties.listener().transactionTimeout().toSeconds()));
        return new ReliableListener(
                properties,
                verifier,
                codec,
                handlers,
                processedEvents,
                transaction,
                republisher,
                classifier,
                metrics,
                clock.getIfAvailable(Clock::systemUTC));
    }

    @Bean(WORK_CONTAINER)
    SimpleMessageListenerContainer orderlyWorkQueueContainer(
            SimpleRabbitListenerContainerFactory orderlyListenerContainerFactory,
            ReliableListener listener,
            MessagingProperties properties) {
        SimpleMessageListenerContainer container = orderlyListenerContainerFactory.createListenerContainer();
        container.setQueueNames(Topology.workQueue(properties.domain()));
        container.setMessageListener(listener);
        container.setShutdownTimeout(properties.listener().shutdownTimeout().toMillis());
        container.setListenerId(Topology.workQueue(properties.domain()));
        // Batches: the listener gets up to batch-size deliveries at once and applies them in one transaction. The
        // receive timeout is the wait for each next delivery and the batch timeout bounds the whole gathering, so a
        // delivery waits at most about twice the linger for company; an idle consumer wakes once per linger.
        MessagingProperties.Listener listening = properties.listener();
        container.setConsumerBatchEnabled(true);
        container.setBatchSize(listening.batchSize());
        container.setReceiveTimeout(listening.batchLinger().toMillis());
        container.setBatchReceiveTimeout(listening.batchLinger().toMillis());
        // A work queue that is not there yet (the deployment has not imported its topology) must not stop the
        // container for good: it keeps trying, and readiness (topology, workQueueListener) says DOWN meanwhile.
        container.setMissingQueuesFatal(false);
        return container;
    }

    @Bean
    SchedulingConfigurer orderlyProcessedEventsPurge(ProcessedEvents processedEvents, MessagingProperties properties) {
        MessagingProperties.ProcessedEvents settings = properties.processedEvents();
        return registrar -> registrar.addFixedDelayTask(
                () -> processedEvents.purge(settings.retention(), settings.purgeBatchSize()), settings.purgeInterval());
    }

    /**
     * Readiness follows the work-queue listener and the topology (add {@code workQueueListener} and {@code topology}
     * to the readiness group).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class ListenerHealthConfiguration {

        @Bean
        TopologyHealthIndicator topologyHealthIndicator(TopologyCheck check) {
            return new TopologyHealthIndicator(check);
        }

        @Bean
        WorkQueueListenerHealthIndicator workQueueListenerHealthIndicator(
                @Qualifier(WORK_CONTAINER) SimpleMessageListenerContainer container, MessagingProperties properties) {
            return new WorkQueueListenerHealthIndicator(
                    container,
                    Topology.workQueue(properties.domain()),
                    properties.listener().concurrency());
        }
    }

    /**
     * The purge and the other scheduled chores need scheduling; enabled here only if the service has not enabled it
     * itself (then its own scheduler configuration stands).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(name = TaskManagementConfigUtils.SCHEDULED_ANNOTATION_PROCESSOR_BEAN_NAME)
    @EnableScheduling
    static class SchedulingConfiguration {}
}
