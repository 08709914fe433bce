/**
 * The SQS error catalogue: each code with the status, the query-protocol code (what
 * `x-amzn-query-error` and the XML `<Code>` carry) and the fault SQS gives it, as the SQS
 * service model (2012-11-05) spells them. Only this module names an SQS error.
 */
export const SQS_ERRORS = {
  QueueDoesNotExist: { status: 400, query: 'AWS.SimpleQueueService.NonExistentQueue', message: 'The specified queue does not exist.' },
  QueueNameExists: { status: 400, query: 'QueueAlreadyExists', message: 'A queue already exists with the same name and a different value for attribute(s).' },
  ReceiptHandleIsInvalid: { status: 404, query: 'ReceiptHandleIsInvalid', message: 'The input receipt handle is invalid.' },
  MessageNotInflight: { status: 400, query: 'AWS.SimpleQueueService.MessageNotInflight', message: 'The message referred to is not in flight.' },
  InvalidParameterValue: { status: 400, query: 'InvalidParameterValue', message: 'An invalid or out-of-range value was supplied for the input parameter.' },
  MissingParameter: { status: 400, query: 'MissingParameter', message: 'A required parameter is missing.' },
  InvalidAttributeName: { status: 400, query: 'InvalidAttributeName', message: 'The specified attribute does not exist.' },
  InvalidAttributeValue: { status: 400, query: 'InvalidAttributeValue', message: 'A queue attribute value is invalid.' },
  InvalidMessageContents: { status: 400, query: 'InvalidMessageContents', message: 'The message contains characters outside the allowed set.' },
  TooManyEntriesInBatchRequest: { status: 400, query: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', message: 'The batch request contains more entries than permissible (10).' },
  EmptyBatchRequest: { status: 400, query: 'AWS.SimpleQueueService.EmptyBatchRequest', message: 'The batch request does not contain any entries.' },
  BatchEntryIdsNotDistinct: { status: 400, query: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', message: 'Two or more batch entries in the request have the same Id.' },
  InvalidBatchEntryId: { status: 400, query: 'AWS.SimpleQueueService.InvalidBatchEntryId', message: 'A batch entry id can only contain alphanumeric characters, hyphens and underscores, at most 80.' },
  BatchRequestTooLong: { status: 400, query: 'AWS.SimpleQueueService.BatchRequestTooLong', message: 'The length of all the messages put together is more than the limit.' },
  UnsupportedOperation: { status: 400, query: 'AWS.SimpleQueueService.UnsupportedOperation', message: 'Unsupported operation.' },
  ResourceNotFoundException: { status: 404, query: 'ResourceNotFoundException', message: 'One or more specified resources do not exist.' },
  InvalidAction: { status: 400, query: 'InvalidAction', message: 'The action or operation requested is invalid.' },
  MalformedQueryString: { status: 400, query: 'MalformedQueryString', message: 'The query string is malformed.' },
  InvalidSecurity: { status: 403, query: 'InvalidSecurity', message: 'The request was not made over HTTPS or did not use SigV4 for signing.' },
  MissingAuthenticationToken: { status: 403, query: 'MissingAuthenticationToken', message: 'The request must contain a valid AWS access key id and signature.' },
  InvalidClientTokenId: { status: 403, query: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' },
  SignatureDoesNotMatch: { status: 403, query: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.' },
  AccessDenied: { status: 403, query: 'AccessDenied', message: 'Access to the resource is denied.' },
  RequestThrottled: { status: 403, query: 'RequestThrottled', message: 'The request was denied due to request throttling.' },
  ServiceUnavailable: { status: 503, query: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.' },
  InternalFailure: { status: 500, query: 'InternalFailure', message: 'The request processing has failed because of an unknown error.' },
} as const satisfies Record<string, { status: number; query: string; message: string }>;

export type SqsErrorCode = keyof typeof SQS_ERRORS;

export class SqsError extends Error {
  readonly code: SqsErrorCode;
  constructor(code: SqsErrorCode, message?: string) {
    super(message ?? SQS_ERRORS[code].message);
    this.name = 'SqsError';
    this.code = code;
  }

  get status(): number {
    return SQS_ERRORS[this.code].status;
  }

  get queryCode(): string {
    return SQS_ERRORS[this.code].query;
  }

  /** Who is at fault, as the query protocol's `<Type>` and `x-amzn-query-error` say it. */
  get fault(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

export const invalid = (message: string) => new SqsError('InvalidParameterValue', message);
