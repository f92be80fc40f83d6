package io.imagefn.observe;

/** How a request reached the functions: the {@code binding} tag of the request metrics and log line. */
public enum Binding {
    /** the Funqy HTTP paths {@code POST /generate}, {@code /edit}, {@code /variation} */
    HTTP("http"),
    /** the OpenAI-compatible {@code /v1/images/*} surface */
    V1("v1"),
    /** a {@code stream: true} request on {@code /v1} */
    V1_STREAM("v1-stream"),
    /** an asynchronous job ({@code Prefer: respond-async}), run detached from its request */
    JOB("job"),
    /** a CloudEvent (Knative Eventing) */
    KNATIVE("knative"),
    /** an AWS Lambda invoke */
    LAMBDA("lambda");

    private final String tag;

    Binding(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
