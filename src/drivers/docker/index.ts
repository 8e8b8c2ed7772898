export { createDockerDriver, type DockerDriver } from './docker-driver.js';
export { connectEngine } from './engine.js';
export { DEFAULT_DOCKER_HOST, DEFAULT_DOCKER_IMAGE, type DockerDriverSettings } from './settings.js';
