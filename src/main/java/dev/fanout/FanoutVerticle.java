package dev.fanout;

import dev.fanout.config.FanoutConfig;
import dev.fanout.fetch.FetchPool;
import dev.fanout.web.WebVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service: reads the configuration and deploys the fetcher pool, then the web verticles.
 * Nothing else; undeploying it stops them all (children are undeployed with their parent).
 */
public final class FanoutVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FanoutVerticle.class);

  @Override
  public Future<?> start() {
    FanoutConfig cfg = FanoutConfig.fromJson(config());
    int web = cfg.http().instances() > 0 ? cfg.http().instances() : FetchPool.instances(cfg);
    return FetchPool.deploy(vertx, config())
        .compose(id -> vertx.deployVerticle(WebVerticle.class, new DeploymentOptions().setInstances(web).setConfig(config())))
        .onSuccess(id -> LOG.info("fanout {} serving on http://{}:{} (web x{}); fetchers x{} over {} shards, "
                + "concurrency {}, per host {}, queue {}, body cap {} bytes",
            Version.get(), cfg.http().host(), WebVerticle.boundPort(vertx), web, FetchPool.instances(cfg),
            dev.fanout.bus.HostShards.COUNT, cfg.fetch().concurrency(), cfg.fetch().perHost(),
            cfg.fetch().maxQueued(), cfg.fetch().maxBytes()));
  }
}
