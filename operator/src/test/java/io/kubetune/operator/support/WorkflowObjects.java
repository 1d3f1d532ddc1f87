package io.kubetune.operator.support;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The objects a reconciler's workflow makes for a primary resource, derived from its {@link
 * Workflow} annotation as the SDK reads it: a dependent is made when its reconcile precondition
 * holds and every dependent it depends on is made. The conditions are the workflow's own classes,
 * evaluated with a {@link Context} that answers with the given secondary resources; each made
 * dependent's object comes from its pure builder.
 */
public final class WorkflowObjects {
  private WorkflowObjects() {}

  /**
   * @param builders the builder of each dependent type of the workflow (all of them, so that a new
   *     dependent cannot be left out of the golden files)
   * @param secondaries what the context returns for getSecondaryResource(type)
   */
  public static <P extends HasMetadata> List<HasMetadata> of(
      Class<?> reconciler,
      P primary,
      Map<Class<?>, Function<P, HasMetadata>> builders,
      Map<Class<?>, Object> secondaries) {
    return of(reconciler, primary, builders, secondaries, Set.of());
  }

  /**
   * @param assumedMet conditions taken as met: to render what the builders make for a spec the
   *     schema refuses today (the workflow makes nothing for it) but that they already support
   */
  public static <P extends HasMetadata> List<HasMetadata> of(
      Class<?> reconciler,
      P primary,
      Map<Class<?>, Function<P, HasMetadata>> builders,
      Map<Class<?>, Object> secondaries,
      Set<Class<?>> assumedMet) {
    Dependent[] dependents = reconciler.getAnnotation(Workflow.class).dependents();
    Set<Class<?>> declared = new HashSet<>();
    Arrays.stream(dependents).forEach(d -> declared.add(d.type()));
    if (!declared.equals(builders.keySet())) {
      throw new IllegalArgumentException(
          "builders " + builders.keySet() + " do not match the workflow's dependents " + declared);
    }
    Context<P> context = context(secondaries);
    Set<String> made = new HashSet<>();
    List<HasMetadata> objects = new ArrayList<>();
    for (Dependent d : dependents) {
      boolean parentsMade = Arrays.stream(d.dependsOn()).allMatch(made::contains);
      boolean met =
          assumedMet.contains(d.reconcilePrecondition())
              || holds(d.reconcilePrecondition(), primary, context);
      if (parentsMade && met) {
        made.add(d.name());
        objects.add(builders.get(d.type()).apply(primary));
      }
    }
    return objects;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <P extends HasMetadata> boolean holds(
      Class<? extends Condition> condition, P primary, Context<P> context) {
    if (condition == Condition.class) {
      return true;
    }
    try {
      Condition<Object, P> c = condition.getDeclaredConstructor().newInstance();
      return c.isMet((DependentResource) null, primary, context);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot make " + condition, e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <P extends HasMetadata> Context<P> context(Map<Class<?>, Object> secondaries) {
    return (Context<P>)
        Proxy.newProxyInstance(
            Context.class.getClassLoader(),
            new Class<?>[] {Context.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getSecondaryResource" -> Optional.ofNullable(secondaries.get(args[0]));
                  case "getSecondaryResources" ->
                      Optional.ofNullable(secondaries.get(args[0])).map(Set::of).orElse(Set.of());
                  default ->
                      throw new UnsupportedOperationException(
                          "the golden tests' context has no " + method.getName());
                });
  }
}
