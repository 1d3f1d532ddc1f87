package io.kubetune.operator.crd;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import java.io.IOException;
import org.jboss.logging.Logger;

/**
 * Reads the spec or status of a custom resource, and reads a value that does not fit the Java type
 * (an int field holding 3000000000, a stored object from an older schema) as null instead of
 * failing. The Fabric8 informers deserialize every object of a kind in one list or watch event: one
 * failure would stop the informer, and with it the operator, for every user of the cluster. The
 * reconcilers find such objects by their missing spec and say why on the object itself ({@link
 * SpecProblem}).
 */
public final class Tolerant extends JsonDeserializer<Object> implements ContextualDeserializer {
  private static final Logger LOG = Logger.getLogger(Tolerant.class);

  private final JavaType type;

  public Tolerant() {
    this(null);
  }

  private Tolerant(JavaType type) {
    this.type = type;
  }

  @Override
  public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
    JavaType target = property != null ? property.getType() : ctxt.getContextualType();
    return new Tolerant(target);
  }

  @Override
  public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonNode tree = ctxt.readTree(p);
    try {
      return ctxt.readTreeAsValue(tree, type);
    } catch (JacksonException e) {
      // every read of the object (list, watch, the SDK's copy before each reconciliation) comes
      // here: the reconciler reports it once, on the object
      LOG.debugf("unreadable %s: %s", type.getRawClass().getSimpleName(), e.getOriginalMessage());
      return null;
    }
  }
}
