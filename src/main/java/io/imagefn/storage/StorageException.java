package io.imagefn.storage;

/** The object store refused a write or could not be reached. */
public class StorageException extends RuntimeException {

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
