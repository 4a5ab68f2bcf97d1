package dev.fanout.deploy;

import dev.fanout.bus.BusFailure;
import dev.fanout.bus.FailureCode;

/**
 * A user verticle that could not be deployed: its class is not there, is not a verticle, or
 * failed to load or start. The message names the class; at start-up it stops fanout (exit 2),
 * at run time it is the admin API's answer ({@link #toFailure()}).
 */
public final class DeployFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Reason reason;
  private final String className;

  /** Why a deployment failed. */
  public enum Reason {
    /** No such class in the plugins or fanout. */
    NOT_FOUND,
    /** The class is not a {@code Deployable} with a public no-argument constructor. */
    NOT_A_VERTICLE,
    /** The class failed to load (static initialiser, missing dependency), construct or start. */
    START_FAILED
  }

  /** A failure of {@code className}, described by {@code detail}. */
  public DeployFailure(Reason reason, String className, String detail) {
    super(className + ": " + detail, null, false, false);
    this.reason = reason;
    this.className = className;
  }

  /** Why it failed. */
  public Reason reason() {
    return reason;
  }

  /** The verticle's class name. */
  public String className() {
    return className;
  }

  /**
   * As a bus failure: 400 naming {@code class}, whatever the reason, since the request cannot
   * succeed as sent (a verticle that fails to start with this config will again); the message
   * says which it was.
   */
  public BusFailure toFailure() {
    return new BusFailure(FailureCode.INVALID, getMessage(), "class");
  }
}
