// The Enqueuer lives in @notify/jobs because the workers' recurring ticker enqueues with it too.
export { Enqueuer, type Enqueueable } from "@notify/jobs";
