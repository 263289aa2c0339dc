export * from './commands';
export * from './signature-error';
export * from './signed-command';
export * from './proposal-hash';
export * from './thumbprint';
export * from './keys';
export * from './recorded-decision';
