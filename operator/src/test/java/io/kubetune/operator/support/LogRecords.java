package io.kubetune.operator.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The WARN and ERROR records the application logs while it is open (the root logger's). */
public final class LogRecords extends Handler implements AutoCloseable {
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  private LogRecords() {}

  public static LogRecords capture() {
    LogRecords handler = new LogRecords();
    handler.setLevel(Level.WARNING);
    Logger.getLogger("").addHandler(handler);
    return handler;
  }

  /** The records mentioning the text, as "LEVEL logger: message" (and the exception, if any). */
  public List<String> mentioning(String text) {
    return records.stream()
        .map(
            r ->
                r.getLevel()
                    + " "
                    + r.getLoggerName()
                    + ": "
                    + formatted(r)
                    + (r.getThrown() == null ? "" : " " + r.getThrown()))
        .filter(s -> s.contains(text))
        .toList();
  }

  private static String formatted(LogRecord r) {
    String message = r.getMessage();
    Object[] params = r.getParameters();
    if (message == null || params == null || params.length == 0) {
      return String.valueOf(message);
    }
    StringBuilder all = new StringBuilder(message);
    for (Object p : params) {
      all.append(' ').append(p);
    }
    return all.toString();
  }

  @Override
  public void publish(LogRecord record) {
    if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
      records.add(record);
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    Logger.getLogger("").removeHandler(this);
  }
}
