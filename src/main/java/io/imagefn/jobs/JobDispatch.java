package io.imagefn.jobs;

/**
 * Where a job's detached work runs: the platform's own machinery. In-process on a server ({@link InProcessDispatch});
 * an asynchronous Lambda invoke of the worker function (the function-URL build); a CloudEvent to the Knative broker
 * (the Knative build). Each build's source folder may put its own in place of the in-process default.
 */
public interface JobDispatch {

    /** Whether jobs can run here at all (AWS Lambda freezes a process after its answer: no in-process work). */
    boolean available();

    /**
     * The holder a new job's record names until a worker claims it: a worker claims the job if it presents this
     * token, or once the lease has lapsed.
     */
    String token();

    /** Starts the job's run; {@code token} is the holder its record names. */
    void dispatch(String owner, String id, String token);
}
