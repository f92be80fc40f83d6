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

    /**
     * Room for one more job where this dispatch runs it, taken before the job is written so that a refusal leaves
     * nothing behind: this instance's bounded queue for the in-process dispatch; the platform's own queue (nothing to
     * hold here) for the others.
     *
     * @throws io.imagefn.images.ImagesApiException 429 {@code too_many_queued_jobs} when there is none
     */
    default Place reserve() {
        return Place.NONE;
    }

    /** Starts the job's run in the place reserved for it; {@code token} is the holder its record names. */
    void dispatch(String owner, String id, String token, Place place);

    /** A reserved place: closing it gives the room back unless a job was dispatched into it. */
    interface Place extends AutoCloseable {

        /** Nothing to hold: the platform queues the job. */
        Place NONE = () -> {
        };

        @Override
        void close();
    }
}
