/** Tests of the deployment artefacts (compose, Helm chart, Prometheus rules, dashboards) with the tools that run here. */
@NullMarked
package dev.orderly.deploy;

import org.jspecify.annotations.NullMarked;
