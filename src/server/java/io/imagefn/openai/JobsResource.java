package io.imagefn.openai;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.imagefn.http.HttpOrigin;
import io.imagefn.images.ImagesApiException;
import io.imagefn.jobs.ImageJob;
import io.imagefn.jobs.JobCancellation;
import io.imagefn.jobs.JobLookup;
import io.imagefn.observe.Binding;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;

/**
 * The jobs that {@code Prefer: respond-async} made: read one, list them (newest first, {@code after} a job id), cancel
 * one. A job is its creator's: under another API key it does not exist (404).
 */
@Path("/v1/images/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobsResource {

    private final JobLookup jobs;
    private final JobCancellation cancellation;
    private final CurrentVertxRequest http;

    public JobsResource(JobLookup jobs, JobCancellation cancellation, CurrentVertxRequest http) {
        this.jobs = jobs;
        this.cancellation = cancellation;
        this.http = http;
    }

    @GET
    public JobLookup.Page list(@QueryParam("after") String after, @QueryParam("limit") @DefaultValue("20") String limit) {
        int max;
        try {
            max = Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            max = -1;
        }
        if (max < 1 || max > 100) {
            throw ImagesApiException.invalid("limit", "invalid_value", "Invalid 'limit': expected an integer from 1 "
                    + "to 100.");
        }
        return jobs.list(owner(), after, max);
    }

    @GET
    @Path("/{id}")
    public ImageJob get(@PathParam("id") String id) {
        return jobs.find(owner(), id);
    }

    @POST
    @Path("/{id}/cancel")
    public ImageJob cancel(@PathParam("id") String id) {
        return cancellation.cancel(owner(), id);
    }

    private String owner() {
        return HttpOrigin.of(Binding.V1, http.getCurrent()).owner();
    }
}
