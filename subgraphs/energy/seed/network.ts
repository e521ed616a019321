/**
 * The energy network the seed starts from: swap stations in eight cities (mostly CATL's, a few
 * Aulton's, one closed) and one charger per city and charging network.
 */
import { seedId } from '../../kit/ids';
import type { Rng } from '../../kit/seed';

/** The swap network: cities and the landmarks its stations are named after. */
export const CITIES: ReadonlyArray<{ city: string; landmarks: string[]; roads: string[] }> = [
  {
    city: 'Guangzhou',
    landmarks: ['Tianhe Sports Centre', 'Zhujiang New Town', 'Pazhou Expo', 'Baiyun Airport', 'Panyu Square', 'Huangpu Port', 'Canton Tower', 'Guangzhou South Station'],
    roads: ['Tianhe Road', 'Huacheng Avenue', 'Xingang East Road', 'Airport Road', 'Qinghe Road', 'Huangpu East Road', 'Yuejiang West Road', 'Shibi Street'],
  },
  {
    city: 'Shenzhen',
    landmarks: ['Futian CBD', 'Nanshan Science Park', "Bao'an Airport", 'Longgang Centre', 'Luohu Port', 'Qianhai'],
    roads: ['Shennan Avenue', 'Keyuan Road', 'Airport Avenue', 'Longxiang Avenue', 'Renmin South Road', 'Qianhai Road'],
  },
  {
    city: 'Beijing',
    landmarks: ['Wangjing SOHO', 'Guomao', 'Zhongguancun', 'Yizhuang', 'Capital Airport T3', 'Tongzhou Canal'],
    roads: ['Futong East Street', 'Jianguomen Outer Street', 'Zhongguancun Street', 'Kechuang Street', 'Airport Road', 'Xinhua Street'],
  },
  {
    city: 'Shanghai',
    landmarks: ['Lujiazui', 'Hongqiao Hub', 'Zhangjiang', 'Xujiahui', 'Anting', 'Songjiang'],
    roads: ['Century Avenue', 'Shenhong Road', 'Zuchongzhi Road', 'Hongqiao Road', 'Boyuan Road', 'Renmin North Road'],
  },
  { city: 'Hangzhou', landmarks: ['Xihu Cultural Square', 'Binjiang', 'Xiaoshan Airport', 'Future Sci-Tech City'], roads: ['Zhongshan North Road', 'Jiangnan Avenue', 'Airport Avenue', 'Wenyi West Road'] },
  { city: 'Chengdu', landmarks: ['Tianfu Square', 'Hi-Tech Zone', 'Shuangliu Airport', 'Chunxi Road'], roads: ['Renmin South Road', 'Tianfu Avenue', 'Airport Road', 'Dongda Street'] },
  { city: 'Wuhan', landmarks: ['Optics Valley', 'Hankou Station', 'Wuchang'], roads: ['Luoyu Road', 'Fazhan Avenue', 'Zhongnan Road'] },
  { city: 'Xiamen', landmarks: ['Siming', 'Huli', 'Gaoqi Airport'], roads: ['Hubin South Road', 'Xianyue Road', 'Airport Road'] },
];

/** Swap operators: CATL's Times New Energy Service runs most stations; Aulton a few. */
const CATL = { org: 'catl-energy', brand: 'Choco-Swap' };
const AULTON = { org: 'aulton', brand: 'Aulton Swap' };
/** Charging networks that bill sessions, with the brand their chargers carry. */
export const CHARGING_NETWORKS = ['state-grid', 'teld', 'star-charge'] as const;
const CHARGING_BRANDS: Record<(typeof CHARGING_NETWORKS)[number], string> = { 'state-grid': 'State Grid', teld: 'TELD', 'star-charge': 'Star Charge' };

export interface SeedCharger {
  id: string;
  networkOrg: string;
  name: string;
  city: string;
  address: string;
}

/**
 * One charger per city and network (the networks take turns over each city's landmarks, and every
 * network has one in every city), so `chgr-s000001` is State Grid's, `…2` TELD's, `…3` Star Charge's.
 * No randomness: the ids are stable whatever else the seed draws.
 */
export function makeChargers(): SeedCharger[] {
  const chargers: SeedCharger[] = [];
  for (const c of CITIES) {
    CHARGING_NETWORKS.forEach((networkOrg, i) => {
      const landmark = c.landmarks[i % c.landmarks.length];
      chargers.push({
        id: seedId('chgr', chargers.length + 1),
        networkOrg,
        name: `${CHARGING_BRANDS[networkOrg]} ${landmark} car park`,
        city: c.city,
        address: `${landmark} car park, ${c.roads[i % c.roads.length]}, ${c.city}`,
      });
    });
  }
  return chargers;
}

export interface SeedStation {
  id: string;
  name: string;
  city: string;
  landmark: string;
  address: string;
  operatorOrg: string;
  active: boolean;
  bays: number;
}

export function makeStations(rng: Rng): SeedStation[] {
  const stations: SeedStation[] = [];
  for (const c of CITIES) {
    c.landmarks.forEach((landmark, i) => {
      const n = stations.length + 1;
      const operator = n % 7 === 0 ? AULTON : CATL;
      stations.push({
        id: seedId('stn', n),
        name: `${operator.brand} ${landmark}`,
        city: c.city,
        landmark,
        address: `${rng.int(1, 999)} ${c.roads[i % c.roads.length]}, ${c.city}`,
        operatorOrg: operator.org,
        // One closed station shows `active: false`; it has no swaps.
        active: n !== 40,
        bays: rng.int(2, 5),
      });
    });
  }
  return stations;
}
