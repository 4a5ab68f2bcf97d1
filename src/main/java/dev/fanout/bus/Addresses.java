package dev.fanout.bus;

/**
 * Event-bus addresses: the public contract between fanout's verticles and anyone else on the bus
 * (verticles of your own, other cluster nodes, bridge clients).
 */
public final class Addresses {
  /** Request: a fetch spec; reply: a fetch result. Routes to the owning shard. */
  public static final String FETCH = "fanout.fetch";
  /** Prefix of the per-shard fetch addresses; see {@link #fetchShard(int)}. */
  public static final String FETCH_SHARD_PREFIX = "fanout.fetch.shard.";
  /**
   * Publish: {@code {group}} ends every fetch of that cancel group still queued or running, with
   * error kind {@code cancelled} (fail-fast gathers, clients that went away).
   */
  public static final String FETCH_CANCEL = "fanout.fetch.cancel";
  /** Prefix of each fetcher's own address; see {@link #fetcher(String)}. */
  public static final String FETCHER_PREFIX = "fanout.fetcher.";
  /**
   * Publish: the set of live fetchers changed (one was added or removed somewhere in the cluster);
   * every node recomputes which fetcher owns which host shard. Internal to fanout.
   */
  public static final String FETCHERS_CHANGED = "fanout.fetchers.changed";
  /** Request: {@code {requests, concurrency, mode}}; reply: {@code {results, stats}}. */
  public static final String GATHER = "fanout.gather";
  /**
   * Request: a job or {@code {jobs: [...]}} → {@code {batch, ids, unhandled}} ({@code unhandled}: the
   * kinds no live node serves; with {@code unreachable}, the nodes that did not answer in time).
   */
  public static final String JOBS_ENQUEUE = "fanout.jobs.enqueue";
  /** Request: {@code {id}} → the job; fails 404 when there is none. */
  public static final String JOBS_GET = "fanout.jobs.get";
  /** Request: {@code {state?, kind?, batch?, limit?, cursor?}} → {@code {jobs, cursor}}. */
  public static final String JOBS_LIST = "fanout.jobs.list";
  /** Request: {@code {id}} → the cancelled job; 404 unknown, 409 already final. */
  public static final String JOBS_CANCEL = "fanout.jobs.cancel";
  /** Request: {@code {id}} → the job, available again; 404 unknown, 409 not retryable. */
  public static final String JOBS_RETRY = "fanout.jobs.retry";
  /** Request: {@code {id, waitMs?}} → {@code {id, total, counts, done}}. */
  public static final String JOBS_BATCH = "fanout.jobs.batch";
  /**
   * Request: {@code {}} → {@code {queues: [{kind, counts, oldestAvailableMs, handled, handlers: [{node,
   * concurrency, registrations}]}]}}, handlers from every live node.
   */
  public static final String JOBS_QUEUES = "fanout.jobs.queues";
  /** Prefix of each node's job kinds address ({@link #jobsKinds(String)}). */
  public static final String JOBS_KINDS_PREFIX = "fanout.jobs.kinds.";
  /** Prefix of job handler addresses: {@code fanout.job.<kind>}. */
  public static final String JOB_HANDLER_PREFIX = "fanout.job.";
  /**
   * Request: {@code {class, instances?, config?, threadingModel?}} → the deployment
   * {@code {id, class, instances, owner, deployedAt, ...}}; 400 bad input (a class missing, not a
   * verticle, or failing to start), 403 a class not in {@code admin.deployAllow}. Only with
   * {@code admin.enabled}.
   */
  public static final String ADMIN_DEPLOY = "fanout.admin.deploy";
  /** Request: {@code {id}} → the deployment, undeployed; 404 unknown, 409 one of fanout's own parts. */
  public static final String ADMIN_UNDEPLOY = "fanout.admin.undeploy";
  /** Request: {@code {}} → {@code {verticles: [{id, name, class, instances, owner, deployedAt}]}}. */
  public static final String ADMIN_LIST = "fanout.admin.list";
  /**
   * Request: {@code {}} → {@code {clustered, self, nodes: [{id, self, reachable, host, kinds, fetchers, fetches,
   * jobs}]}}, every live node's status (one that does not answer in time has {@code reachable: false}).
   */
  public static final String CLUSTER_STATUS = "fanout.cluster.status";
  /** Prefix of each node's own status address ({@link #clusterNode(String)}). */
  public static final String CLUSTER_NODE_PREFIX = "fanout.cluster.node.";
  /** Publish: job and batch state changes, throughput ticks. */
  public static final String EVENTS = "fanout.events";

  private Addresses() {}

  /**
   * The address consumed by the single owner of shard {@code shard}. Senders that know a URL's
   * host can use it directly ({@link HostShards#addressOf(String)}) and save the routing hop of
   * {@link #FETCH}.
   */
  public static String fetchShard(int shard) {
    return FETCH_SHARD_PREFIX + shard;
  }

  /**
   * The address where node {@code nodeId} answers {@code {kinds: {KIND: {concurrency, timeoutMs,
   * registrations}}}}: the job kinds registered on it (what the cluster-wide {@code unhandled} and
   * {@code handlers} are made of).
   */
  public static String jobsKinds(String nodeId) {
    return JOBS_KINDS_PREFIX + nodeId;
  }

  /** The address where node {@code nodeId} answers with its own status (one entry of {@link #CLUSTER_STATUS}). */
  public static String clusterNode(String nodeId) {
    return CLUSTER_NODE_PREFIX + nodeId;
  }

  /**
   * The address of one fetcher, {@code fanout.fetcher.<id>}: the fetches and redirect hand-offs
   * other fetchers route to it as the owner of their hosts, and {@code {release: k, to}}, the request
   * of the shard's new owner to give shard {@code k} up (answered with the hosts' politeness state
   * once none of its fetches runs here). Internal to fanout: send fetches to {@link #FETCH}.
   */
  public static String fetcher(String id) {
    return FETCHER_PREFIX + id;
  }
}
