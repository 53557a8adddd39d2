// Edge: turns the pure TrayModel into Electron's Tray and Menu. Rebuilt only when the model changes.
import path from 'node:path';
import { Menu, type MenuItemConstructorOptions, nativeImage, Tray } from 'electron';
import type { Snapshot } from '../../app/renderer/model.ts';
import {
  type TrayAction,
  type TrayIcon,
  type TrayItem,
  type TrayModel,
  trayModel,
} from './logic/tray-menu.ts';

export class AppTray {
  private readonly tray: Tray;
  private lastKey = '';

  constructor(
    private readonly iconDir: string,
    private readonly onAction: (a: TrayAction) => void,
  ) {
    this.tray = new Tray(this.image('disconnected'));
    this.tray.on('click', () => onAction({ kind: 'open-dashboard' }));
  }

  update(s: Snapshot): void {
    const model = trayModel(s);
    const key = JSON.stringify(model);
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.apply(model);
  }

  destroy(): void {
    this.tray.destroy();
  }

  private image(icon: TrayIcon) {
    // resources/tray/<state>.png with <state>@2x.png beside it; nativeImage picks the scale.
    return nativeImage.createFromPath(path.join(this.iconDir, `${icon}.png`));
  }

  private apply(model: TrayModel): void {
    this.tray.setImage(this.image(model.icon));
    this.tray.setToolTip(model.tooltip);
    this.tray.setContextMenu(Menu.buildFromTemplate(model.items.map((i) => this.item(i))));
  }

  private item(i: TrayItem): MenuItemConstructorOptions {
    switch (i.type) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: i.label, enabled: false };
      case 'action':
        return { label: i.label, enabled: i.enabled, click: () => this.onAction(i.action) };
      case 'checkbox':
        return {
          type: 'checkbox',
          label: i.label,
          checked: i.checked,
          enabled: i.enabled,
          click: () => this.onAction(i.action),
        };
    }
  }
}
