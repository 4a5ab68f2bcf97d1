package dev.fanout.deploy;

import static dev.fanout.deploy.DeployFailure.Reason.NOT_A_VERTICLE;
import static dev.fanout.deploy.DeployFailure.Reason.NOT_FOUND;
import static dev.fanout.deploy.DeployFailure.Reason.START_FAILED;

import dev.fanout.config.DeploySpec;
import dev.fanout.fetch.FetchPool;
import dev.fanout.fetch.FetcherVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys user verticles through the {@link Plugins} class loader. The class is resolved and
 * instantiated here rather than by name through Vert.x's verticle factories, so a name is only
 * ever a class (never a {@code prefix:} for another factory, nor a {@code .java} file to compile).
 * A deployment either succeeds whole or leaves nothing behind: Vert.x undeploys the instances that
 * started when one fails.
 */
public final class Deployer {
  /**
   * The class name of fanout's own fetchers: {@code {"class": "fetcher", "instances": N}} deploys N
   * more on this node, with the pool's configuration and limits ({@link FetchPool#add}); host shards
   * move to them, and back when they are undeployed.
   */
  public static final String FETCHER = "fetcher";
  private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);
  private final Vertx vertx;
  private final Plugins plugins;

  /** Deploys on {@code vertx} with classes from {@code plugins}. */
  public Deployer(Vertx vertx, Plugins plugins) {
    this.vertx = vertx;
    this.plugins = plugins;
  }

  /**
   * Deploys {@code spec}; completes with its entry in {@link Deployments} (owner {@code user}),
   * or fails with a {@link DeployFailure} naming the class.
   */
  public Future<JsonObject> deploy(DeploySpec spec) {
    if (FETCHER.equals(spec.className())) {
      return FetchPool.add(vertx, spec.instances())
          .recover(e -> Future.failedFuture(
              new DeployFailure(START_FAILED, FETCHER, "failed to start: " + describe(e))))
          .map(id -> {
            LOG.info("deployed {} more fetcher(s) ({})", spec.instances(), id);
            return Deployments.add(vertx, id, FETCHER, FetcherVerticle.class.getName(), spec.instances(),
                Deployments.USER);
          });
    }
    String name = spec.className();
    DeploymentOptions options = new DeploymentOptions()
        .setInstances(spec.instances())
        .setConfig(spec.config().copy())
        .setThreadingModel(spec.threadingModel())
        .setClassLoader(plugins.loader()); // the thread context class loader of its instances
    // loading a class reads a jar and runs its static initialiser: not on an event loop
    return vertx.executeBlocking(() -> constructor(name))
        .compose(ctor -> vertx.deployVerticle(() -> instance(name, ctor), options)
            .recover(e -> Future.failedFuture(e instanceof DeployFailure ? e
                : new DeployFailure(START_FAILED, name, "failed to start: " + describe(e)))))
        .map(id -> {
          LOG.info("deployed {} x{} ({})", name, spec.instances(), id);
          return Deployments.add(vertx, id, name, name, spec.instances(), Deployments.USER,
              new JsonObject().put("threadingModel", spec.threadingModel().name()));
        })
        .onFailure(e -> LOG.warn("cannot deploy {}", e.getMessage()));
  }

  private Constructor<? extends Deployable> constructor(String name) {
    Class<?> cls;
    try {
      cls = Class.forName(name, true, plugins.loader());
    } catch (ClassNotFoundException e) {
      throw new DeployFailure(NOT_FOUND, name, "no such class in the plugins (" + plugins.jars().size()
          + " jar(s)) or fanout");
    } catch (LinkageError e) {
      throw new DeployFailure(START_FAILED, name, "cannot be loaded: " + describe(e));
    }
    if (!Deployable.class.isAssignableFrom(cls) || Modifier.isAbstract(cls.getModifiers())) {
      throw new DeployFailure(NOT_A_VERTICLE, name, "is not a verticle (a concrete VerticleBase or Verticle)");
    }
    try {
      return cls.asSubclass(Deployable.class).getConstructor();
    } catch (NoSuchMethodException e) {
      throw new DeployFailure(NOT_A_VERTICLE, name, "has no public no-argument constructor");
    }
  }

  private static Deployable instance(String name, Constructor<? extends Deployable> ctor) {
    try {
      return ctor.newInstance();
    } catch (InvocationTargetException e) {
      throw new DeployFailure(START_FAILED, name, "its constructor failed: " + describe(e.getCause()));
    } catch (ReflectiveOperationException e) {
      throw new DeployFailure(START_FAILED, name, "cannot be constructed: " + describe(e));
    }
  }

  /** A failure in a line: the message of a plain failed future, else the exception's name too. */
  private static String describe(Throwable e) {
    if (e.getMessage() == null) {
      return e.getClass().getName();
    }
    return e.getClass().getSimpleName().startsWith("NoStackTrace") ? e.getMessage()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
