package dev.orderly.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The parking-lot command's arguments. */
class ParkingLotCommandTests {

    @Test
    void optionsTakeValuesFlagsAndPositionalArguments() {
        ParkingLotCommand.Options options =
                ParkingLotCommand.Options.parse(List.of("--reason", "a \"quoted\" & odd reason", "--all", "42"));

        assertThat(options.value("reason")).hasValue("a \"quoted\" & odd reason");
        assertThat(options.flag("all")).isTrue();
        assertThat(options.positional()).containsExactly("42");
    }

    @Test
    void anOptionWithoutItsValueIsRefusedNamingIt() {
        assertThatThrownBy(() -> ParkingLotCommand.Options.parse(List.of("--event-type")))
                .isInstanceOf(OrderlyException.class)
                .hasMessageContaining("--event-type");
    }
}
