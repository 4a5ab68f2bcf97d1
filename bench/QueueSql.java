import java.lang.reflect.Field;

/**
 * Prints statements of fanout's queue, exactly as the worker sends them ({@code
 * dev.fanout.queue.JobSql}, with their {@code $n} parameters), for bench/claim.sh to hand to
 * pgbench. Run as {@code java -cp target/fanout.jar bench/QueueSql.java CLAIM COMPLETE}: each one
 * on stdout, followed by a line with a single {@code ;}.
 */
public final class QueueSql {
  public static void main(String[] args) throws Exception {
    Class<?> sql = Class.forName("dev.fanout.queue.JobSql");
    for (String name : args) {
      Field f = sql.getDeclaredField(name);
      f.setAccessible(true); // package-private: the statements are the queue's own, not an API
      System.out.println(f.get(null));
      System.out.println(";");
    }
  }
}
