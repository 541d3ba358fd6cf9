// Public face of the pcap reader.
export { decodePcapStream, decodePcapBatches, type DecodeOptions, type PcapHeaderInfo } from './stream.js';
export { decodePcap, pcapParser, type PcapCapture } from './parser.js';
export { mapInterfaceIndexes, interfaceIndexesFromIpLink, type InterfaceNames } from './interfaces.js';
export { PCAPNG_MESSAGE } from './format.js';
