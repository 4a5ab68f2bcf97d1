package dev.fanout.deploy;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.BusFailure;
import dev.fanout.bus.FailureCode;
import dev.fanout.bus.InvalidRequest;
import dev.fanout.config.AdminConfig;
import dev.fanout.config.DeploySpec;
import dev.fanout.config.FanoutConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Deploying at run time on the bus: {@code fanout.admin.deploy}, {@code .undeploy} and
 * {@code .list}, which {@code /v1/admin/verticles} maps onto. Deployed only with
 * {@code admin.enabled}. Only classes in {@code admin.deployAllow} are deployed (403 otherwise),
 * through the plugins' class loader, and {@code fetcher}, more of fanout's own fetchers
 * ({@link Deployer#FETCHER}), which needs no listing; fanout's own parts are listed but never undeployed here
 * (409).
 *
 * <p>Who may call these is not checked yet: once tokens exist (the operations issue), the HTTP
 * routes require the admin scope (see {@code AdminApi}), and a bus or bridge caller is trusted as
 * any code in the JVM is; the bridge never permits {@code fanout.admin.*} unless configured to.
 */
public final class AdminVerticle extends VerticleBase {
  private final Deployer deployer;
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
  private AdminConfig cfg;

  /** Deploys through {@code deployer}. */
  public AdminVerticle(Deployer deployer) {
    this.deployer = deployer;
  }

  @Override
  public Future<?> start() {
    cfg = FanoutConfig.fromJson(config()).admin();
    on(Addresses.ADMIN_DEPLOY, this::deploy);
    on(Addresses.ADMIN_UNDEPLOY, this::undeploy);
    on(Addresses.ADMIN_LIST, body -> Future.succeededFuture(Deployments.listing(vertx)));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  @Override
  public Future<?> stop() {
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList());
  }

  private Future<JsonObject> deploy(JsonObject body) {
    DeploySpec spec = DeploySpec.read(body, "", 1, InvalidRequest::new);
    boolean fetcher = Deployer.FETCHER.equals(spec.className());
    if (fetcher && !spec.config().isEmpty()) {
      throw new InvalidRequest("config", "must be empty for class fetcher: it takes this node's fetch.* settings");
    }
    if (!fetcher && !cfg.allows(spec.className())) {
      return Future.failedFuture(new BusFailure(FailureCode.FORBIDDEN,
          "class: " + spec.className() + " is not in admin.deployAllow", "class"));
    }
    return deployer.deploy(spec)
        .recover(e -> Future.failedFuture(e instanceof DeployFailure d ? d.toFailure() : e));
  }

  private Future<JsonObject> undeploy(JsonObject body) {
    if (!(body.getValue("id") instanceof String id) || id.isBlank()) {
      throw new InvalidRequest("id", "must be a deployment id (a string)");
    }
    JsonObject d = Deployments.get(vertx, id);
    if (d == null) {
      return Future.failedFuture(new BusFailure(FailureCode.NOT_FOUND, "no deployment " + id, "id"));
    }
    if (!Deployments.USER.equals(d.getString("owner"))) {
      return Future.failedFuture(new BusFailure(FailureCode.CONFLICT, "id: " + id + " is fanout's own "
          + d.getString("name") + "; only user verticles are undeployed here (stop fanout to stop it)", "id"));
    }
    return vertx.undeploy(id).transform(ar -> {
      // a verticle whose stop failed is gone all the same; one undeployed meanwhile is not found
      boolean gone = !vertx.deploymentIDs().contains(id);
      JsonObject removed = gone ? Deployments.remove(vertx, id) : null;
      if (ar.succeeded() || removed != null) {
        return Future.succeededFuture(ar.succeeded() ? d.put("undeployed", true)
            : d.put("undeployed", true).put("stopError", String.valueOf(ar.cause().getMessage())));
      }
      return Future.failedFuture(gone ? new BusFailure(FailureCode.NOT_FOUND, "no deployment " + id, "id")
          : ar.cause());
    });
  }

  private void on(String address, Function<JsonObject, Future<JsonObject>> handler) {
    consumers.add(vertx.eventBus().consumer(address, (Message<Object> msg) -> {
      Future<JsonObject> f;
      try {
        if (!(msg.body() instanceof JsonObject body)) {
          throw new InvalidRequest("body", "must be a JSON object");
        }
        f = handler.apply(body);
      } catch (InvalidRequest e) {
        BusFailure.reply(msg, e);
        return;
      }
      f.onSuccess(msg::reply).onFailure(e -> BusFailure.reply(msg, e));
    }));
  }
}
