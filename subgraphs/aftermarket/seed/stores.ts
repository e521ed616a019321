/** The store network the seed starts from: the same 60 stores across eight cities in every seed. */
import { seedId } from '../../kit/ids';
import type { ServiceType, Store, StoreKind } from '../data/stores';

interface City {
  name: string;
  districts: string[];
}

export const CITIES: City[] = [
  { name: 'Beijing', districts: ['Chaoyang', 'Haidian', 'Fengtai', 'Tongzhou'] },
  { name: 'Shanghai', districts: ['Pudong', 'Xuhui', 'Minhang', 'Jiading'] },
  { name: 'Guangzhou', districts: ['Tianhe', 'Panyu', 'Baiyun'] },
  { name: 'Shenzhen', districts: ['Nanshan', 'Futian', 'Longgang'] },
  { name: 'Chengdu', districts: ['Wuhou', 'Jinjiang', 'Gaoxin'] },
  { name: 'Hangzhou', districts: ['Xihu', 'Binjiang', 'Yuhang'] },
  { name: 'Wuhan', districts: ['Hongshan', 'Jianghan'] },
  { name: "Xi'an", districts: ['Yanta', 'Weiyang'] },
];
const ROADS = ['Jianguo', 'Zhongshan', 'Renmin', 'Jiefang', 'Heping', 'Xinhua', 'Changjiang', 'Huaihai', 'Binhe', 'Keji'];

/** What each kind of store can be booked for. */
const SERVICES_BY_KIND: Record<StoreKind, ServiceType[]> = {
  MAINTENANCE: ['MAINTENANCE', 'REPAIR', 'TYRES', 'WARRANTY_REPAIR'],
  COOPERATIVE: ['MAINTENANCE', 'REPAIR', 'TYRES'],
  MODIFICATION: ['MODIFICATION', 'TYRES'],
  FILM: ['FILM'],
};

const COOPERATIVE_BRANDS: Array<{ name: string; org: string }> = [
  { name: 'Huayu Auto Service', org: 'coop-network' },
  { name: 'Lantian Car Workshop', org: 'coop-network' },
  { name: 'Minghang Auto Repair', org: 'coop-network' },
  { name: 'Jinlun Tyre & Service', org: 'coop-tyreplus' },
];

/** The store network: the same 60 stores in every seed (it does not depend on the number of users). */
export function seedStores(): Store[] {
  const plan: Array<[StoreKind, number]> = [
    ['MAINTENANCE', 26],
    ['COOPERATIVE', 22],
    ['MODIFICATION', 6],
    ['FILM', 6],
  ];
  const stores: Store[] = [];
  for (const [kind, count] of plan) {
    for (let k = 0; k < count; k++) {
      // Modification stores and film factories are few and large: only in the six biggest cities.
      const city = CITIES[kind === 'MODIFICATION' || kind === 'FILM' ? k % 6 : k % CITIES.length];
      const district = city.districts[Math.floor(k / CITIES.length) % city.districts.length];
      const n = stores.length + 1;
      const address = `${(n * 37) % 400 + 1} ${ROADS[n % ROADS.length]} Road, ${district} District, ${city.name}`;
      let name: string;
      let org: string;
      let services = SERVICES_BY_KIND[kind];
      switch (kind) {
        case 'MAINTENANCE':
          name = `JD Auto Care ${city.name} ${district}`;
          org = 'jd-auto-care';
          break;
        case 'COOPERATIVE': {
          const brand = COOPERATIVE_BRANDS[k % COOPERATIVE_BRANDS.length];
          name = `${brand.name} (${city.name} ${district})`;
          org = brand.org;
          if (brand.org === 'coop-tyreplus') services = ['TYRES', 'MAINTENANCE'];
          break;
        }
        case 'MODIFICATION':
          name = `JD Auto Mod Works ${city.name}`;
          org = 'jd-mod-works';
          break;
        case 'FILM':
          name = `JD Film Factory ${city.name}`;
          org = 'jd-film-factory';
          break;
      }
      stores.push({ id: seedId('store', n), name, kind, city: city.name, address, org, services });
    }
  }
  return stores;
}
